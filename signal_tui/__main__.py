from signal_tui.cli import main

raise SystemExit(main())
