"""A project's story across plans on the public side shows only published plans."""

from plans.models import Fate, Succession
from publication import services
from tests.factories import adopt_next_plan
from tests.publication.conftest import TWITTER


def test_lineage_links_the_next_plan_only_once_it_is_published(client, published, ict):
    third = adopt_next_plan(code="third-adopted", project_name="第三期の情報発信事業")
    successor = third.projects.get()
    twitter = published["twitter"]
    Succession.objects.filter(project=twitter).delete()  # the fixture's link into the plan in preparation
    link = Succession.objects.create(project=twitter, next_plan=third, fate=Fate.CONTINUED, reason="内部の理由")
    link.successors.add(successor)
    url = f"/open/projects/second/{TWITTER}/"
    successor_url = f"/open/projects/third-adopted/{successor.code}/"

    assert "第三期の情報発信事業" not in client.get(url).content.decode()
    services.publish_plan(user=ict, plan=third)
    page = client.get(url).content.decode()
    assert f'href="{successor_url}"' in page and "継続" in page and "内部の理由" not in page
    # And back: the successor's page shows where it came from, with the published results.
    back = client.get(successor_url).content.decode()
    assert f'href="{url}"' in back
    assert "平成28年度(2016年度) 年次進行管理" in back
    assert "平成29年度(2017年度) 年次進行管理" not in back  # decided, but not published
