"""urbsurvey: follow-up surveys of URBACT city networks."""

__version__ = "0.1.0"
