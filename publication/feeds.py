"""The Atom feed of newly published results (/open/feed.atom): one entry per published
cycle, newest first, linking to its results page. Reads publication.querysets only."""

from datetime import datetime, time

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed

from publication import querysets

ENTRIES = 30


class ResultsFeed(Feed):
    feed_type = Atom1Feed
    language = "ja"

    def title(self):
        return f"{settings.CITY_NAME} 情報化推進計画 進行管理の結果の公表"

    def subtitle(self):
        return "情報化推進計画の事業の実施状況・進捗度・今後の方向性と情報化戦略本部の判断を公表したときにお知らせします。"

    def link(self):
        return reverse("open:index")

    def author_name(self):
        return f"{settings.CITY_NAME} 総務部 情報推進課"

    def items(self):
        return (querysets.published_cycles().select_related("plan", "publication")
                .order_by("-publication__published_on", "-pk")[:ENTRIES])

    def item_title(self, cycle):
        return f"{cycle.plan.name} {cycle}の結果を公表しました"

    def item_description(self, cycle):
        return f"{cycle.plan.name}の{cycle}の結果(集計表と事業ごとの結果)を公表しました。"

    def item_link(self, cycle):
        return reverse("open:cycle_results", args=[cycle.plan.code, cycle.kind, cycle.fiscal_year])

    def item_pubdate(self, cycle):
        return timezone.make_aware(datetime.combine(cycle.publication.published_on, time.min))

    def item_updateddate(self, cycle):
        return self.item_pubdate(cycle)
