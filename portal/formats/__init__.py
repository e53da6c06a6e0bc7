"""The portal's date formats per language, read before Django's own (FORMAT_MODULE_PATH).

Templates name a format (``|date`` for DATE_FORMAT, ``|date:"DATETIME_FORMAT"``,
``|time`` for TIME_FORMAT), never a pattern: a pattern such as "j M Y" is English word
order in every language. What is not set here is Django's own for the language. Times
are on a 24-hour clock everywhere, as the committee's documents write them.
"""
