import PulseDiagnostics
import Testing
@testable import PulseConfig

/// A profile's `sources` (connectors.md): the schema, `extends`, and secrets.
@Suite("profile sources")
struct SourcesTests {
    static let complete = """
        profile: shop
        priority_markets: [US]
        sources:
          bigcommerce:
            store_hash: abc123
            access_token: ${BC_ACCESS_TOKEN}
            stock_from: inventory
            locations: [1, 2]
            api_base: http://127.0.0.1:8080
          aliexpress:
            app_key: "12345678"
            app_secret: ${AE_APP_SECRET}
            session: ${AE_SESSION}
            statuses: [onSelling, editingRequired]
            time_offset: "+08:00"

        """

    @Test func aCompleteSectionIsCleanAndResolves() throws {
        #expect(LintFixtures.lintOne("profiles/shop.yaml", Self.complete).isEmpty)
        var set = ConfigSet()
        set.add(file: "profiles/shop.yaml", bytes: Array(Self.complete.utf8))
        let profile = try #require(set.profile("shop"))
        let resolved = try ProfileResolver(profiles: set.profiles).resolve(profile).get()
        #expect(resolved.sources.bigcommerce?.accessToken?.variable == "BC_ACCESS_TOKEN")
        #expect(resolved.sources.bigcommerce?.locations?.map(\.value) == [1, 2])
        #expect(resolved.sources.aliexpress?.statuses?.map(\.value) == [.onSelling, .editingRequired])
        #expect(resolved.sources.aliexpress?.timeOffset?.value == 8 * 3600)
    }

    @Test func aLiteralSecretIsAnErrorThatNeverQuotesIt() {
        let text = Self.complete.replacing1("${AE_SESSION}", "50002700b1Zq9sECRET")
        let found = LintFixtures.lintOne("profiles/shop.yaml", text)
        #expect(found.map(\.description) == [
            "profiles/shop.yaml:13:14: error: sources.aliexpress.session is a secret and must be an environment variable reference such as ${AE_SESSION}, not a literal value (profiles are meant to be committed; set the variable where pulse pull runs) [secret-literal]",
        ])
        let rendered = DiagnosticRenderer(sources: ["profiles/shop.yaml": text]).render(found, format: .text, files: 1)
            + DiagnosticRenderer(sources: ["profiles/shop.yaml": text]).render(found, format: .json, files: 1)
        #expect(!rendered.contains("sECRET"))
    }

    @Test func unknownKeysEnumsAndURLsGetSuggestions() {
        let text = Self.complete.replacing1("stock_from: inventory", "stock_from: inventry")
            .replacing1("store_hash", "store_hsh").replacing1("editingRequired", "editingRequried")
            .replacing1("http://127.0.0.1:8080", "127.0.0.1:8080")
        let found = LintFixtures.lintOne("profiles/shop.yaml", text).map(\.description)
        // The misspelt store_hash is reported once, as the misspelling (not also as missing).
        #expect(found == [
            "profiles/shop.yaml:5:5: error: unknown key 'store_hsh' in sources.bigcommerce; did you mean 'store_hash'? [unknown-key]",
            "profiles/shop.yaml:7:17: error: sources.bigcommerce.stock_from must be one of catalog, inventory, not 'inventry'; did you mean 'inventory'? [invalid-value]",
            "profiles/shop.yaml:9:15: error: sources.bigcommerce.api_base must be an http or https URL such as https://api.example.com, not '127.0.0.1:8080' [invalid-value]",
            "profiles/shop.yaml:14:27: error: sources.aliexpress.statuses: 'editingRequried' is not an AliExpress product status; expected one of onSelling, auditing, editingRequired, offline; did you mean 'editingRequired'? [invalid-value]",
        ])
    }

    @Test func extendsMergesByConnectorAndKey() throws {
        let base = """
            profile: base
            sources:
              bigcommerce:
                store_hash: abc123
                access_token: ${BC_ACCESS_TOKEN}
              aliexpress:
                app_key: "1"
                app_secret: ${AE_APP_SECRET}
                session: ${AE_SESSION}

            """
        let child = """
            profile: shop
            extends: base
            sources:
              bigcommerce:
                access_token: ${SHOP_BC_TOKEN}

            """
        #expect(LintFixtures.lint([("profiles/base.yaml", base), ("profiles/shop.yaml", child)]).isEmpty)
        var set = ConfigSet()
        set.add(file: "profiles/base.yaml", bytes: Array(base.utf8))
        set.add(file: "profiles/shop.yaml", bytes: Array(child.utf8))
        let resolved = try ProfileResolver(profiles: set.profiles).resolve(try #require(set.profile("shop"))).get()
        #expect(resolved.sources.bigcommerce?.storeHash?.value == "abc123", "kept from the parent")
        #expect(resolved.sources.bigcommerce?.accessToken?.variable == "SHOP_BC_TOKEN", "replaced by the child")
        #expect(resolved.sources.aliexpress?.appKey?.value == "1", "a connector the child does not name is inherited")
    }

    @Test func locationsWithoutInventoryAndMissingSecretsAreReported() {
        let text = """
            profile: shop
            sources:
              bigcommerce:
                store_hash: abc123
                locations: [1]

            """
        #expect(LintFixtures.lintOne("profiles/shop.yaml", text).map(\.description) == [
            "profiles/shop.yaml:4:5: error: sources.bigcommerce of profile 'shop' is missing the required key 'access_token' (an API account's access token (`X-Auth-Token`), as `${NAME}`) [missing-key]",
            "profiles/shop.yaml:5:17: error: sources.bigcommerce.locations is used only with stock_from: inventory; set stock_from: inventory or remove locations [invalid-value]",
        ])
    }

    @Test(arguments: [("${A}", "A"), ("${BC_TOKEN_2}", "BC_TOKEN_2"), ("$A", nil), ("${}", nil), ("${2A}", nil), ("${A B}", nil), ("x${A}", nil)])
    func variableReferences(_ text: String, _ name: String?) {
        #expect(SecretReference.variableName(in: text) == name)
    }
}
