import Vapor

/// Every route of the web app and the API.
func routes(_ app: Application) throws {
    StaticAssets.register(app)
    app.get(use: DashboardController.show)
    app.get("healthz") { _ in ["status": "ok"] }
    AuthController.register(app)
    // Who may reach a route is declared here, once per group; the authorization tests walk every
    // route with every kind of visitor.
    let signedIn = app.grouped(SignedInMiddleware())
    let programManagers = app.grouped(ProgramManagerMiddleware())
    ProfileController.register(signedIn)
    SettingsController.register(signedIn)
    ProgramsController.register(signedIn)
    MentoringController.register(signedIn)
    AgreementController.register(signedIn)
    MeetingController.register(signedIn)
    GoalController.register(signedIn)
    ReflectionController.register(signedIn)
    // Reached by its secret token, without a session (calendar applications cannot sign in).
    CalendarFeedController.register(app)
    SelfSelectController.register(signedIn)
    PreferenceController.register(signedIn)
    AdminPeopleController.register(programManagers)
    ImportController.register(programManagers)
    AdminProgramsController.register(programManagers)
    MatchRunsController.register(programManagers)
    APIRoutes.register(app)
}
