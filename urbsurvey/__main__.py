"""`python -m urbsurvey`: the same as the `urbsurvey` command."""

from .cli import main

main()
