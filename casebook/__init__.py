"""casebook: the command line and the glue between the case file and the browser."""
