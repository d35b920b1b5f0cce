// Starts the vendored Swagger UI on /schema (a file, not an inline script: the CSP allows
// only the app's own scripts).
window.addEventListener("DOMContentLoaded", () => {
  const root = document.getElementById("swagger-ui");
  window.SwaggerUIBundle({ url: root.dataset.specUrl, domNode: root, deepLinking: true });
});
