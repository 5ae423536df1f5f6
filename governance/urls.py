from django.urls import path

from governance.books import views as book_views
from governance.cycles import views
from governance.dashboard import views as dashboard_views
from governance.mail import views as mail_views
from governance.meetings import views as meeting_views

app_name = "governance"

urlpatterns = [
    path("dashboard/", dashboard_views.dashboard, name="dashboard"),
    path("dashboard/monitor/", dashboard_views.monitor, name="monitor"),
    path("dashboard/print.pdf", dashboard_views.dashboard_pdf, name="dashboard_pdf"),
    path("dashboard/projects/", dashboard_views.dashboard_projects, name="dashboard_projects"),
    path("books/", book_views.book_list, name="book_list"),
    path("books/order/", book_views.book_order, name="book_order"),
    path("books/<int:pk>/", book_views.book_detail, name="book_detail"),
    path("books/<int:pk>/download/", book_views.book_download, name="book_download"),
    path("books/<int:pk>/retry/", book_views.book_retry, name="book_retry"),
    path("cycles/", views.cycle_list, name="cycle_list"),
    path("cycles/open/", views.cycle_open, name="cycle_open"),
    path("cycles/missing-sheets/", views.create_missing_sheets, name="create_missing_sheets"),
    path("cycles/mine/", views.my_reports, name="my_reports"),
    path("cycles/<int:pk>/", views.cycle_detail, name="cycle_detail"),
    path("cycles/<int:pk>/remind/", views.cycle_remind, name="cycle_remind"),
    path("cycles/<int:pk>/sections/", views.cycle_assign_sections, name="cycle_assign_sections"),
    path("cycles/<int:pk>/summary/", views.cycle_summary, name="cycle_summary"),
    path("cycles/<int:pk>/meetings/new/", meeting_views.MeetingCreateView.as_view(), name="meeting_create"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:pk>/edit/", views.ReportEditView.as_view(), name="report_edit"),
    path("reports/<int:pk>/submit/", views.report_submit, name="report_submit"),
    path("reports/<int:pk>/return/", views.report_return, name="report_return"),
    path("reports/<int:pk>/confirm/", views.report_confirm, name="report_confirm"),
    path("reports/<int:pk>/results/<int:result_pk>/override/", views.result_override, name="result_override"),
    path("reports/<int:pk>/reflect/", views.report_reflect, name="report_reflect"),
    path("mail/", mail_views.mail_list, name="mail_list"),
    path("mail/resend/", mail_views.mail_resend, name="mail_resend"),
    path("mail/discard/", mail_views.mail_discard, name="mail_discard"),
    path("meetings/<int:pk>/", meeting_views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/reports/<int:report_pk>/record/", meeting_views.meeting_record, name="meeting_record"),
    path("meetings/<int:pk>/minutes/", meeting_views.meeting_minutes, name="meeting_minutes"),
    path("meetings/<int:pk>/papers.pdf", meeting_views.meeting_papers, name="meeting_papers"),
]
