# 1 Dec 2026: day first, as WIPO's English documents write dates.
DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"
TIME_FORMAT = "H:i"
