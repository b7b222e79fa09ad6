import Testing
@testable import TrellisServer

/// Attributes a form helper adds are named from a fixed list and their values escaped like
/// content: an attribute's value cannot close the attribute or the element.
@Suite struct AttributeTests {
    @Test func `a value with quotes and markup stays inside its attribute`() {
        let html = HTML.attributes([Attribute(.dataTagKind, "x\" onfocus=\"alert(1)\"><script>"), Attribute(.maxlength, 60)])
        #expect(html.markup == " data-tag-kind=\"x&quot; onfocus=&quot;alert(1)&quot;&gt;&lt;script&gt;\" maxlength=\"60\"")
    }

    @Test func `a form field writes its attributes, its own and the caller's, each once`() {
        let field = Form.text("years", label: "Years", value: "3", type: "number", autocomplete: "off", attributes: [Attribute(.min, 0), Attribute(.max, 60)])
        #expect(field.markup.contains("<input id=\"years\" name=\"years\" type=\"number\" value=\"3\" autocomplete=\"off\" min=\"0\" max=\"60\">"), "\(field.markup)")
    }
}
