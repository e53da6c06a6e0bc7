# 1 декабря 2026 г.: the month in the genitive (E).
DATE_FORMAT = "j E Y г."
DATETIME_FORMAT = "j E Y г., H:i"
TIME_FORMAT = "H:i"
