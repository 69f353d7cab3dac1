"""Rebuild the policy search index: the search entries from the library, and
the ranking index of this process (other processes pick the new rows up by
their ids on their next query)."""

import time

from django.core.management.base import BaseCommand

from policies import search
from policies.search import ranker


class Command(BaseCommand):
    help = "重建惠企政策检索索引"

    def handle(self, *args, **options):
        started = time.perf_counter()
        total = search.rebuild()
        index = ranker.current()
        self.stdout.write(
            f"检索条目 {total} 条，排序索引 {index.total} 条，用时 {time.perf_counter() - started:.1f} 秒"
        )
