"""The API's resources: read-only (GET, HEAD, OPTIONS; a write method is refused by the
CSRF check with 403, as everywhere in the application, and past it with 405), paginated,
filtered by plain query parameters. Each get_queryset takes its records from
publication.api.scopes (public or the token user's staff scope) and fetches what the
serializer shows in a fixed number of queries, however many records a page holds."""

import re

from django.conf import settings
from django.db.models import Prefetch, Q
from django.utils.cache import patch_cache_control, patch_vary_headers
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, viewsets

from plans.models import Placement
from projects.models import ScheduleEntry
from publication.api import scopes, serializers

PATH_RE = re.compile(r"^\d+(-\d+)*$")
MAX_AGE = 300  # seconds a proxy may reuse an anonymous answer, as the public pages (publication.views)


class Throttled(exceptions.Throttled):
    default_detail = "アクセスが集中しているため、しばらく受け付けを止めています。"
    extra_detail_singular = extra_detail_plural = "{wait} 秒ほど待ってからもう一度お試しください。"


def _param(name, description, type_=OpenApiTypes.STR):
    return OpenApiParameter(name, type_, OpenApiParameter.QUERY, description=description)


PLAN = _param("plan", "計画のコード(例:second)")
FISCAL_YEAR = _param("fiscal_year", "年度(西暦、例:2016)", OpenApiTypes.INT)
ITEM = _param("item", "計画の項目の番号の並び(例:1-2)。その項目とその下の項目に掲載された事業に絞ります")
SECTION = _param("section", "担当課のコード(例:joho-suishin)")


class ApiViewSet(viewsets.ReadOnlyModelViewSet):
    """The common part: the caller's scope, the filters, the Japanese 429."""

    staff_serializer_class = None
    lookup_value_converter = "int"

    @property
    def user(self):
        return self.request.user

    def get_serializer_class(self):
        if self.staff_serializer_class and scopes.is_staff_caller(self.user):
            return self.staff_serializer_class
        return self.serializer_class

    def throttled(self, request, wait):
        raise Throttled(wait)

    def finalize_response(self, request, response, *args, **kwargs):
        """Published data may be kept by a proxy for MAX_AGE, as the public pages are; what
        a token reads is never stored (nor an answer to a visitor with a session cookie,
        which may be renewed on the way out). The answer differs with Authorization."""
        response = super().finalize_response(request, response, *args, **kwargs)
        patch_vary_headers(response, ["Authorization"])
        if scopes.is_staff_caller(request.user) or settings.SESSION_COOKIE_NAME in request.COOKIES:
            patch_cache_control(response, private=True, no_store=True)
        elif response.status_code == 200:
            patch_cache_control(response, public=True, max_age=MAX_AGE)
        return response

    def param(self, name):
        return self.request.query_params.get(name, "").strip()

    def fiscal_year(self):
        value = self.param("fiscal_year")
        if not value:
            return None
        if not (value.isascii() and value.isdigit() and 1900 <= int(value) <= 2200):
            raise exceptions.ValidationError({"fiscal_year": ["年度は西暦の4桁の数字で指定してください(例:2016)。"]})
        return int(value)

    def item_path(self):
        value = self.param("item")
        if value and not PATH_RE.match(value):
            raise exceptions.ValidationError({"item": ["項目は番号の並びで指定してください(例:1-2)。"]})
        return value

    def placed_under(self, path):
        """Projects placed (home or 再掲) under the item with this path, or on it."""
        return Placement.objects.filter(Q(item__path=path) | Q(item__path__startswith=f"{path}-")).values("project")


@extend_schema_view(
    list=extend_schema(summary="計画の一覧", parameters=[FISCAL_YEAR],
                       description="公表した計画(トークンでは業務画面で見える計画)。fiscal_year はその年度を計画期間に含む計画。"),
    retrieve=extend_schema(summary="計画"),
)
@extend_schema(tags=["計画"])
class PlanViewSet(ApiViewSet):
    serializer_class = serializers.PlanSerializer
    lookup_field = "code"
    lookup_value_converter = "slug"

    def get_queryset(self):
        plans = scopes.plans(self.user).order_by("-start_year", "code")
        if year := self.fiscal_year():
            plans = plans.filter(start_year__lte=year, end_year__gte=year)
        return plans


@extend_schema_view(
    list=extend_schema(summary="計画の項目の一覧", parameters=[PLAN, ITEM],
                       description="計画の体系(目標・基本方針・情報化施策など)の項目と説明文。"),
    retrieve=extend_schema(summary="計画の項目"),
)
@extend_schema(tags=["計画の項目"])
class ItemViewSet(ApiViewSet):
    serializer_class = serializers.ItemSerializer

    def get_queryset(self):
        items = (scopes.items(self.user).select_related("plan", "level", "parent", "reposted_from")
                 .order_by("plan__start_year", "plan__code", "sort_key"))
        if plan := self.param("plan"):
            items = items.filter(plan__code=plan)
        if path := self.item_path():
            items = items.filter(Q(path=path) | Q(path__startswith=f"{path}-"))
        return items


@extend_schema_view(
    list=extend_schema(summary="事業の一覧", parameters=[PLAN, ITEM, SECTION],
                       description="事業と掲載項目(再掲を含む)、情報化事業シートの公開項目(完成したシートだけ)。"),
    retrieve=extend_schema(summary="事業"),
)
@extend_schema(tags=["事業"])
class ProjectViewSet(ApiViewSet):
    serializer_class = serializers.ProjectSerializer

    def get_queryset(self):
        placements = Placement.objects.select_related("item").order_by("-is_home", "item__sort_key")
        schedule = ScheduleEntry.objects.only("sheet", "fiscal_year", "planned", "actual")
        sheets = scopes.sheets(self.user).prefetch_related(Prefetch("schedule", schedule))
        projects = (scopes.projects(self.user).select_related("plan")
                    .prefetch_related(Prefetch("placements", placements), Prefetch("sheet", sheets))
                    .order_by("plan__start_year", "plan__code", "code"))
        if plan := self.param("plan"):
            projects = projects.filter(plan__code=plan)
        if path := self.item_path():
            projects = projects.filter(pk__in=self.placed_under(path))
        if section := self.param("section"):
            projects = projects.filter(sheet__in=scopes.sheets(self.user).filter(section__code=section))
        return projects


@extend_schema_view(
    list=extend_schema(summary="指標と目標値の一覧", parameters=[PLAN, FISCAL_YEAR, ITEM, SECTION],
                       description="事業の活動指標・成果指標と年度ごとの目標値。fiscal_year を付けるとその年度の目標値だけ。"),
    retrieve=extend_schema(summary="指標と目標値"),
)
@extend_schema(tags=["指標"])
class IndicatorViewSet(ApiViewSet):
    serializer_class = serializers.IndicatorSerializer

    def get_queryset(self):
        targets = scopes.targets(self.user).order_by("fiscal_year")
        year = self.fiscal_year()
        indicators = scopes.indicators(self.user).select_related("sheet__project__plan")
        if year:
            targets = targets.filter(fiscal_year=year)
            indicators = indicators.filter(targets__fiscal_year=year)
        indicators = (indicators.prefetch_related(Prefetch("targets", targets))
                      .order_by("sheet__project__plan__start_year", "sheet__project__plan__code",
                                "sheet__project__code", "position", "pk"))
        if plan := self.param("plan"):
            indicators = indicators.filter(sheet__project__plan__code=plan)
        if path := self.item_path():
            indicators = indicators.filter(sheet__project__in=self.placed_under(path))
        if section := self.param("section"):
            indicators = indicators.filter(sheet__section__code=section)
        return indicators


@extend_schema_view(
    list=extend_schema(summary="進行管理の一覧", parameters=[PLAN, FISCAL_YEAR],
                       description="結果を公表した進行管理(トークンでは業務画面で見えるすべての進行管理)。"),
    retrieve=extend_schema(summary="進行管理"),
)
@extend_schema(tags=["進行管理"])
class CycleViewSet(ApiViewSet):
    serializer_class = serializers.CycleSerializer

    def get_queryset(self):
        cycles = scopes.cycles(self.user).select_related("plan").order_by("-fiscal_year", "kind", "pk")
        if plan := self.param("plan"):
            cycles = cycles.filter(plan__code=plan)
        if year := self.fiscal_year():
            cycles = cycles.filter(fiscal_year=year)
        return cycles


@extend_schema_view(
    list=extend_schema(
        summary="実績報告(進行管理の結果)の一覧", parameters=[PLAN, FISCAL_YEAR, ITEM, SECTION],
        description="公表した進行管理の結果:実施状況・進捗度・今後の方向性・情報化戦略本部の判断と指標の実績値。"
                    "トークンでは業務画面と同じく、すべての進行管理の実績報告を状態・担当課のメモ・検討会議の評価とともに返します。"),
    retrieve=extend_schema(summary="実績報告(進行管理の結果)"),
)
@extend_schema(tags=["実績報告"])
class ReportViewSet(ApiViewSet):
    serializer_class = serializers.ReportSerializer
    staff_serializer_class = serializers.StaffReportSerializer

    def get_queryset(self):
        results = scopes.results(self.user).select_related("indicator").order_by("indicator__position", "pk")
        # The public reports carry REPORT_FIELDS only (no section): it is never joined for them.
        joined = ["cycle__plan", "sheet__project", *(["section"] if scopes.is_staff_caller(self.user) else [])]
        reports = (scopes.reports(self.user).select_related(*joined)
                   .prefetch_related(Prefetch("results", results))
                   .order_by("-cycle__fiscal_year", "cycle__kind", "sheet__project__code", "pk"))
        if plan := self.param("plan"):
            reports = reports.filter(cycle__plan__code=plan)
        if year := self.fiscal_year():
            reports = reports.filter(cycle__fiscal_year=year)
        if path := self.item_path():
            reports = reports.filter(sheet__project__in=self.placed_under(path))
        if section := self.param("section"):
            reports = reports.filter(sheet__section__code=section)
        return reports
