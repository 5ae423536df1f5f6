"""Root URLs: each app has its own namespaced urls.py."""

from django.contrib import admin
from django.urls import include, path

from accounts import views as accounts_views
from core import views as core_views

admin.site.site_header = "昭島市 情報化推進計画 管理"
admin.site.site_title = "昭島市 情報化推進計画 管理"
admin.site.index_title = "データ管理"

urlpatterns = [
    path("", core_views.home, name="home"),
    path("accounts/login/", accounts_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", accounts_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("accounts.urls")),
    path("plans/manage/", include("governance.succession.urls")),
    path("plans/manage/", include("projects.plan_editor.urls")),
    path("plans/", include("plans.urls")),
    path("sheets/", include("projects.urls")),
    path("data/", include("exchange.urls")),
    # The public pages: no login (each view is marked login_not_required), GET only.
    path("open/", include("publication.urls")),
    path("publication/", include("publication.staff_urls")),
    path("", include("governance.urls")),
    path("admin/", admin.site.urls),
]

# Every refusal is written to the 監査ログ before the Japanese 403 page.
handler403 = "accounts.views.permission_denied"
