"""Files and formats to articles: the parsers are pure functions over text; files.py is the I/O edge."""
