import Foundation
import TrellisCore

/// Enrolling a program from a CSV: the upload form (on the participants page), the preview with
/// every problem or what will happen, and the confirmation.
enum EnrolmentCSVPages {
    /// The upload form, shown on the participants page.
    static func form(_ context: PageContext, programID: UUID, error: String? = nil) -> HTML {
        let hint = "Columns email,role,capacity: role is mentor or mentee; capacity (mentors only, \(EnrolmentRules.capacity.allowed)) overrides their profile's for this program, blank keeps it. You will see a preview first: everyone is enrolled, or nobody."
        return """
        <form method="post" action="/admin/programs/\(programID.uuidString)/participants/csv" enctype="multipart/form-data" novalidate>
          \(Layout.csrfField(context))
          <div class="field\(error == nil ? "" : " has-error")">
            <label for="file">CSV file</label>
            \(Form.messages("file", hint: hint, error: error))
            <input id="file" name="file" type="file" accept=".csv,text/csv"\(Form.describedBy("file", hint: hint, error: error))\(HTML.when(error != nil, " aria-invalid=\"true\""))>
          </div>
          <div class="actions"><button type="submit" class="secondary">Preview</button></div>
        </form>
        """
    }

    /// The preview: every problem (nothing enrolled), or the numbers and the confirm button.
    static func preview(_ context: PageContext, program: ProgramSummary, plan: EnrolmentCSV.Plan, uploadID: UUID?) -> HTML {
        let id = program.id.uuidString
        let back: HTML = "<p><a class=\"button secondary\" href=\"/admin/programs/\(id)/participants\">Back to the participants</a></p>"
        guard plan.isValid, let uploadID else {
            return Layout.page(context, title: "Enrolment problems · \(program.name)", active: "programs", content: """
            <p><a href="/programs/\(id)">\(program.name)</a></p>
            <h1>Nobody was enrolled</h1>
            \(ImportPages.problemTable(plan.problems, everyOne: "trellis program enrol \(id) FILE.csv"))
            \(back)
            """)
        }
        let total = plan.mentors + plan.mentees
        return Layout.page(context, title: "Enrolment preview · \(program.name)", active: "programs", content: """
        <p><a href="/programs/\(id)">\(program.name)</a></p>
        <h1>Enrol \(total.grouped) \(total == 1 ? "person" : "people")?</h1>
        <div class="grid">
          <div><div class="stat">\(plan.mentors.grouped)</div><p class="muted">mentors</p></div>
          <div><div class="stat">\(plan.mentees.grouped)</div><p class="muted">mentees</p></div>
        </div>
        <p>Every row was checked. Nobody is enrolled until you confirm; if anything changes meanwhile, every row is checked again and nobody is enrolled unless all of them can be.</p>
        <form method="post" action="/admin/programs/\(id)/participants/csv/confirm">
          \(Layout.csrfField(context))
          <input type="hidden" name="upload" value="\(uploadID.uuidString)">
          <p class="muted">The file is kept on the server for an hour, for you only, until you confirm.</p>
          <div class="actions"><button type="submit">Enrol \(total.grouped) \(total == 1 ? "person" : "people")</button><a href="/admin/programs/\(id)/participants">Cancel</a></div>
        </form>
        """)
    }
}
