import sys

from autograders.cli import main

sys.exit(main())
