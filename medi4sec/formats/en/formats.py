"""Dates as the portal writes them everywhere: "29 Nov 2026" and "29 Nov 2026, 23:28".

Django's English defaults ("Nov. 29, 2026, 11:28 p.m.") read as American and disagree with the
timestamps the forum components write; European readers expect day, month, year and 24 hours.
"""

DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
TIME_FORMAT = "H:i"
FIRST_DAY_OF_WEEK = 1
