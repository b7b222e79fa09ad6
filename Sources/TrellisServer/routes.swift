import Vapor

/// Every route of the web app and the API.
func routes(_ app: Application) throws {
    StaticAssets.register(app)
    app.get(use: DashboardController.show)
    app.get("healthz") { _ in ["status": "ok"] }
    AuthController.register(app)
    ProfileController.register(app)
    AdminPeopleController.register(app)
    ImportController.register(app)
    SettingsController.register(app)
    APIController.register(app)
}
