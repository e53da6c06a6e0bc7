# 1 December 2026: day first, as WIPO's English documents write dates.
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
TIME_FORMAT = "H:i"
