import sys

from tf1repro.cli import main

sys.exit(main())
