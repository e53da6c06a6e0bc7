# 1 ديسمبر 2026: Arabic month names (Django's catalogue), the digits WIPO's Arabic
# documents use.
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y، H:i"
TIME_FORMAT = "H:i"
