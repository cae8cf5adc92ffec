from rnnlib.cli import main

raise SystemExit(main())
