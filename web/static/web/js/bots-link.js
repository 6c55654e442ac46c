// The « Mes robots » link of the main screen's user menu (imported once by app.js).
import { _ } from "./i18n.js";

const link = document.createElement("a");
link.href = "/bots/";
link.id = "bots-link";
link.textContent = _("Mes robots");
const menu = document.querySelector(".app-header .user-menu");
if (menu) menu.append(link);
else document.querySelector(".app-header .me")?.after(link);
