from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from . import (
    account_views,
    announcements_views,
    bots_views,
    community_views,
    contacts_views,
    fiches_views,
    jobs_views,
    views,
    webinars,
)

app_name = "web"
urlpatterns = [
    path("", views.app, name="app"),
    path("login/", views.login_page, name="login"),
    path("signup/", views.signup_page, name="signup"),
    path("verify/<str:token>", views.verify_email, name="verify"),
    path("password-reset/", account_views.password_reset_page, name="password_reset"),
    # The link of the reset email (backend/accounts/passwords.py builds the same address).
    path("reset/<str:token>", account_views.password_reset_confirm_page, name="reset"),
    path("account/profile/", account_views.profile_page, name="profile"),
    path("account/security/", account_views.security_page, name="security"),
    path("bots/", bots_views.bots_page, name="bots"),
    path("annonces/", announcements_views.announcements_page, name="announcements"),
    path("webinaires/", webinars.agenda_page, name="webinars"),
    path("webinaires/<int:webinar_id>/", webinars.webinar_page, name="webinar"),
    path("webinaires/<int:webinar_id>/console/", webinars.console_page, name="webinar-console"),
    path("webinaires/<int:webinar_id>/ecran/", webinars.presenter_page, name="webinar-screen"),
    path("members/", community_views.directory_page, name="members"),
    path("members/<int:user_id>/", community_views.member_page, name="member"),
    # A published CV: the one page without X-Robots-Tag: noindex (robots.txt allows /cv/ only).
    path("cv/<int:user_id>/", community_views.public_cv_page, name="public_cv"),
    path("emplois/", jobs_views.board_page, name="jobs"),
    path("emplois/nouvelle/", jobs_views.form_page, name="job-new"),
    path("emplois/<int:job_id>/", jobs_views.job_page, name="job"),
    path("emplois/<int:job_id>/modifier/", jobs_views.form_page, name="job-edit"),
    path("contacts/", contacts_views.contacts_page, name="contacts"),
    path("contacts/import/", contacts_views.contacts_import_page, name="contacts-import"),
    path("fiches/", fiches_views.fiches_page, name="fiches"),
    path("fiches/nouvelle/", fiches_views.fiche_new_page, name="fiche-new"),
    path("fiches/<int:fiche_id>/", fiches_views.fiche_page, name="fiche"),
    # The JavaScript catalogue of the client's strings (gettext() in the ES modules).
    path("jsi18n/", JavaScriptCatalog.as_view(packages=["web"]), name="jsi18n"),
    path("i18n/", include("django.conf.urls.i18n")),
]
