from django.urls import path

from . import views

app_name = "web"
urlpatterns = [
    path("verify/<str:token>", views.verify_email, name="verify"),
]
