"""The HTTP API and web pages (CONTRACT §4): a thin layer over the domain packages."""
