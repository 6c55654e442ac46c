from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "backend.contacts"
    label = "contacts"
    verbose_name = "Contacts"
