"""`python -m urbsurvey`: the same as the `urbsurvey` command."""

from .entry import main

main()
