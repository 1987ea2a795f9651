"""One module per `policy` sub-command; cli.py parses options and calls them."""
