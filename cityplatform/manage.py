#!/usr/bin/env python
"""A city's own policy platform (市州自建惠企政策申兑平台), a relying party of
the province's identity provider. One project, run once per city:

    CITY_CODE=510100 CITY_PORT=8161 python cityplatform/manage.py runserver 127.0.0.1:8161
"""

import os
import sys

if __name__ == "__main__":
    os.environ["DJANGO_SETTINGS_MODULE"] = "cityplatform.settings"  # its own project, whatever the caller had
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
