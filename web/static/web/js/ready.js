// Loaded after every page module (module scripts run in document order): the page's form
// handlers are attached by now, so the submit buttons they drive may be used. Until then they
// stay disabled, so an early click cannot submit a form natively (the form would reload the
// page instead of calling the API, and the person would see nothing happen).
for (const button of document.querySelectorAll("[data-needs-script]")) {
  button.disabled = false;
}
