import Foundation
#if canImport(Glibc)
import Glibc
#endif
import NIOConcurrencyHelpers
import PulseHistory
import Testing

/// The real `pulse serve` binary, driven by headless Chromium through chromedriver, all on
/// 127.0.0.1: sign in with a token, see the cards and their values, see the page update itself
/// when a new snapshot arrives, sign out, and stop the server with SIGTERM.
@Suite(.serialized) struct DashboardBrowserTests {
    @Test func signInSeeCardsWatchANewSnapshotArriveThenShutDown() async throws {
        let h = try await ServeHarness.make()
        // `pulse serve` judges data age by the wall clock (stale after 25h, profiles/base.yaml), and the
        // demo snapshots are months old: their taken_at is moved to hours ago. CEL's `now` is taken_at
        // too, so only values that do not depend on it are checked (counts, coverage; the 24h window
        // holds no rejection of the demo's March events whatever the time).
        let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        let first = Self.rfc3339(now.addingTimeInterval(-4 * 3600))
        let second = Self.rfc3339(now.addingTimeInterval(-2 * 3600))
        let stockTakenAt = Self.rfc3339(now.addingTimeInterval(-30 * 3600))
        try Self.writeHeader(takenAt: first, to: h.path("snapshots/demo/2026-03-17"))
        let server = try ChildProcess(Repo.binary, [
            "serve", "--cards", h.path("cards").path, "--profiles", h.path("profiles").path, "--snapshots", h.path("snapshots").path,
            "--db", h.path("serve.sqlite").path, "--tokens", h.path("tokens.yaml").path, "--listen", "127.0.0.1:0",
        ])
        defer { server.kill() }
        let listening = try await server.waitForLine(containing: "address=http://127.0.0.1:", seconds: 180)
        let address = try #require(listening.components(separatedBy: "address=").last?.split(separator: " ").first.map(String.init))

        let driverPort = try freePort()
        let driver = try ChildProcess(WebDriver.chromedriver, ["--port=\(driverPort)", "--allowed-ips=127.0.0.1"])
        defer { driver.kill() }
        _ = try await driver.waitForLine(containing: "started successfully", seconds: 60)
        let browser = try await WebDriver.start(port: driverPort)
        do {
            try await browser.setImplicitWait(10_000)
            try await browser.open(address + "/")
            #expect(try await browser.title() == "Sign in · Pulse")
            // A wrong token is refused on the page.
            try await browser.type("pulse_wrong", into: try await browser.element("#token"))
            try await browser.click(try await browser.element("#login"))
            #expect(try await browser.text(try await browser.element("#login-error")).contains("not valid"))
            try await browser.type(h.tokens["owner"]!, into: try await browser.element("#token"))
            try await browser.click(try await browser.element("#login"))

            // The first snapshot, fresh: every state reads in words, not colour alone.
            #expect(try await attribute(browser, "#taken-at", "datetime") == first)
            #expect(try await browser.text(try await browser.element("#taken-at")).hasSuffix("(4 hours ago)"))
            #expect(try await browser.text(try await browser.element("#card-aex_total_listings .number")) == "292")
            #expect(try await browser.text(try await browser.element("#card-aex_total_listings .badge")) == "– No alert set")
            #expect(try await browser.text(try await browser.element("#card-aex_total_listings p.age")).hasSuffix(", 4 hours ago"))
            #expect(try await browser.text(try await browser.element("#card-aex_rejected_auditing_listings .number")) == "28")
            #expect(try await browser.text(try await browser.element("#card-aex_rejected_auditing_listings .badge")) == "▲ Critical")
            #expect(try await className(browser, "#card-aex_rejected_auditing_listings").contains("state-firing severity-critical"))
            // `for: 2`: out of stock on the first evaluation is pending, not yet firing.
            #expect(try await browser.text(try await browser.element("#card-aex_xc_listed_but_oos_on_bc .number")) == "7")
            #expect(try await browser.text(try await browser.element("#card-aex_xc_listed_but_oos_on_bc .badge")) == "… Pending")
            #expect(try await browser.text(try await browser.element("#card-aex_ship_to_country_coverage .number")) == "79.2%")
            #expect(try await browser.text(try await browser.element("#card-aex_ship_to_country_coverage .badge")) == "▲ Critical")
            let page = try await browser.source()
            #expect(page.contains("<h1") && page.contains("<caption>Worklist: 28 rows, first 10 shown</caption>") && page.contains("scope=\"col\""))
            #expect(page.contains("<svg class=\"sparkline single\""), "one recorded value: a dot with it")
            #expect(!page.contains("state-stale"), "nothing is stale in a snapshot taken 4 hours ago")

            // A new snapshot arrives the way pull writes it: a dot folder renamed into place. Its
            // AliExpress files are fresh; its BigCommerce stock was carried over from 30 hours ago.
            let staging = h.path("snapshots/demo/.2026-03-18.tmp-1")
            try FileManager.default.copyItem(at: Repo.root.appendingPathComponent("examples/demo-next"), to: staging)
            try Self.writeHeader(takenAt: second, sources: ["bigcommerce": stockTakenAt, "aliexpress": second], to: staging)
            try FileManager.default.moveItem(at: staging, to: h.path("snapshots/demo/2026-03-18"))
            // The page polls and reloads itself; nothing here reloads it.
            let updated = try await eventually(seconds: 30) {
                (try? await attribute(browser, "#taken-at", "datetime")) == second
            }
            #expect(updated, "the dashboard showed the new snapshot by itself")

            // Critical, for contrast.
            #expect(try await browser.text(try await browser.element("#card-aex_rejected_auditing_listings .number")) == "62")
            #expect(try await browser.text(try await browser.element("#card-aex_rejected_auditing_listings .badge")) == "▲ Critical")
            #expect(try await browser.text(try await browser.element("#card-aex_rejected_auditing_listings p.age")).hasSuffix(", 2 hours ago"))
            // OK, for contrast: no rejection in the 24 hours before taken_at.
            #expect(try await browser.text(try await browser.element("#card-aex_rejected_listings_24h .number")) == "0")
            #expect(try await browser.text(try await browser.element("#card-aex_rejected_listings_24h .badge")) == "✓ OK")
            #expect(try await className(browser, "#card-aex_rejected_listings_24h").contains("state-ok"))
            // Stale: it reads BigCommerce stock, 30 hours old. Its value is still shown, marked stale,
            // with its age, the alert it keeps, and the stock join's unmatched SKUs.
            let stale = "#card-aex_xc_listed_but_oos_on_bc"
            let staleClass = try await className(browser, stale)
            #expect(staleClass.contains("state-stale") && !staleClass.contains("state-ok") && !staleClass.contains("state-firing"), "\(staleClass)")
            #expect(try await browser.text(try await browser.element(stale + " .badge")) == "◌ Stale")
            #expect(try await browser.text(try await browser.element(stale + " .number")) == "32")
            let staleAge = try await browser.text(try await browser.element(stale + " p.age"))
            #expect(staleAge.hasPrefix("data from ") && staleAge.hasSuffix(", 30 hours ago"), "\(staleAge)")
            #expect(try await browser.text(try await browser.element(stale + " p.note.unmatched"))
                == "1 of 526 listing SKUs (0.2%) has no BigCommerce stock record, e.g. LAMP-022-GRN")
            #expect(try await browser.text(try await browser.element(stale)).contains("The alert is not judged on stale data; it stays pending."))
            // Warning: coverage 93.1% is under the warn level (95) but not the critical one (90).
            let coverage = "#card-aex_ship_to_country_coverage"
            #expect(try await browser.text(try await browser.element(coverage + " .number")) == "93.1%")
            #expect(try await browser.text(try await browser.element(coverage + " .badge")) == "△ Warning")
            #expect(try await className(browser, coverage).contains("state-firing severity-warn"))
            #expect(try await browser.text(try await browser.element(coverage + " p.age")).hasSuffix(", 2 hours ago"))
            // No trigger: the value and "no alert set", never OK.
            #expect(try await browser.text(try await browser.element("#card-aex_total_listings .number")) == "292")
            #expect(try await browser.text(try await browser.element("#card-aex_total_listings .badge")) == "– No alert set")
            #expect(try await className(browser, "#card-aex_total_listings").contains("state-none"))
            // Each state reads differently in words, not only in colour.
            var badges: [String] = []
            for key in ["aex_rejected_auditing_listings", "aex_rejected_listings_24h", "aex_xc_listed_but_oos_on_bc", "aex_ship_to_country_coverage", "aex_total_listings"] {
                badges.append(try await browser.text(try await browser.element("#card-\(key) .badge")))
            }
            #expect(Set(badges).count == badges.count && badges.filter { $0 == "✓ OK" }.count == 1, "\(badges)")
            // Only the stale card says it is stale or has unmatched SKUs.
            let next = try await browser.source()
            #expect(next.components(separatedBy: "state-stale").count == 2 && next.components(separatedBy: "note unmatched").count == 2)

            let shot = try await browser.screenshot()
            #expect(shot.starts(with: [0x89, 0x50, 0x4E, 0x47]), "a PNG")
            let out = ProcessInfo.processInfo.environment["PULSE_SCREENSHOT"] ?? Repo.root.appendingPathComponent(".build/pulse-dashboard.png").path
            try shot.write(to: URL(fileURLWithPath: out))

            // Sign out, then in as marketing: its card only.
            try await browser.click(try await browser.element(".logout button"))
            try await browser.type(h.tokens["marketing"]!, into: try await browser.element("#token"))
            try await browser.click(try await browser.element("#login"))
            #expect(try await browser.text(try await browser.element("#card-aex_ship_to_country_coverage .badge")) == "△ Warning")
            let marketing = try await browser.source()
            #expect(!marketing.contains("aex_total_listings") && !marketing.contains("aex_rejected_auditing_listings"))
        } catch {
            await browser.quit()
            throw error
        }
        await browser.quit()

        // SIGHUP reloads the config (without any file having changed).
        server.signal(SIGHUP)
        _ = try await server.waitForLine(containing: "SIGHUP: reloading the config", seconds: 60)
        _ = try await server.waitForLine(containing: "config loaded", occurrence: 2, seconds: 60)

        // SIGTERM: the server finishes and exits 0.
        server.terminate()
        let status = try await server.waitForExit(seconds: 30)
        #expect(status == 0, "pulse serve exits 0 on SIGTERM; its output:\n\(server.output)")
    }

    /// An owner acknowledges a firing card and silences then un-silences another from the page
    /// (fetch() with the session cookie); marketing sees a firing card without any button.
    @Test func acknowledgeAndSilenceFromThePageWhileMarketingSeesNoButtons() async throws {
        let h = try await ServeHarness.make()
        // Fresh data by the wall clock (as above): the critical card fires on the first evaluation.
        let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        try Self.writeHeader(takenAt: Self.rfc3339(now.addingTimeInterval(-4 * 3600)), to: h.path("snapshots/demo/2026-03-17"))
        let server = try ChildProcess(Repo.binary, [
            "serve", "--cards", h.path("cards").path, "--profiles", h.path("profiles").path, "--snapshots", h.path("snapshots").path,
            "--db", h.path("serve.sqlite").path, "--tokens", h.path("tokens.yaml").path, "--listen", "127.0.0.1:0",
        ])
        defer { server.kill() }
        let listening = try await server.waitForLine(containing: "address=http://127.0.0.1:", seconds: 180)
        let address = try #require(listening.components(separatedBy: "address=").last?.split(separator: " ").first.map(String.init))
        let owner = try #require(h.tokens["owner"]), marketing = try #require(h.tokens["marketing"])

        let driverPort = try freePort()
        let driver = try ChildProcess(WebDriver.chromedriver, ["--port=\(driverPort)", "--allowed-ips=127.0.0.1"])
        defer { driver.kill() }
        _ = try await driver.waitForLine(containing: "started successfully", seconds: 60)
        let browser = try await WebDriver.start(port: driverPort)
        func count(_ css: String) async throws -> Int {
            let selector = css.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'")
            return try await browser.script("return document.querySelectorAll('\(selector)').length;") as? Int ?? -1
        }
        do {
            try await browser.setImplicitWait(10_000)
            try await browser.open(address + "/")
            try await browser.type(owner, into: try await browser.element("#token"))
            try await browser.click(try await browser.element("#login"))

            // A firing card offers Acknowledge; a card without an alert does not; every card offers Silence….
            let firing = "#card-aex_rejected_auditing_listings"
            #expect(try await browser.text(try await browser.element(firing + " .badge")) == "▲ Critical")
            let ack = try await browser.element(firing + " button.ack")
            #expect(try await browser.text(ack) == "Acknowledge")
            #expect(try await count("#card-aex_total_listings button.ack") == 0)
            #expect(try await count("article.card button.silence") == 5, "Silence… on every card")
            #expect(try await count("button.expire") == 0, "nothing is silenced yet")

            // Acknowledge: the page calls the API, reloads and says by whom.
            try await browser.click(ack)
            let acknowledged = try await browser.text(try await browser.element(firing + " p.acknowledged"))
            #expect(acknowledged.hasPrefix("Acknowledged by owner at ") && acknowledged.hasSuffix(" today"), "\(acknowledged)")
            #expect(try await browser.text(try await browser.element("#lifecycle-status[data-flash=ack]"))
                    == "AliExpress Rejected & Auditing Listings acknowledged by owner.")
            #expect(try await count(firing + " button.ack") == 0, "acknowledged once")

            // Silence… opens a small form; 24 hours, a reason, submit.
            let quiet = "#card-aex_total_listings"
            let toggle = try await browser.element(quiet + " button.silence")
            try await browser.click(toggle)
            #expect(try await browser.script("return document.querySelector('\(quiet) button.silence').getAttribute('aria-expanded');") as? String == "true")
            try await browser.click(try await browser.element("#silence-for-aex_total_listings option[value='24h']"))
            try await browser.type("supplier feed down", into: try await browser.element("#silence-reason-aex_total_listings"))
            try await browser.click(try await browser.element("#silence-form-aex_total_listings button[type=submit]"))
            let silenced = try await browser.text(try await browser.element(quiet + " p.silenced"))
            #expect(silenced.hasPrefix("Silenced until ") && silenced.hasSuffix(" by owner: supplier feed down"), "\(silenced)")
            #expect(try await count("p.silenced") == 1, "only the card silenced")
            let until = try await browser.script("return document.querySelector('\(quiet) time.silenced-until').getAttribute('datetime');") as? String
            let end = try #require(until.flatMap { ISO8601DateFormatter().date(from: $0) })
            #expect(abs(end.timeIntervalSince(now) - 86_400) < 600, "24 hours from now: \(until ?? "")")

            // Expire ends it.
            try await browser.click(try await browser.element(quiet + " button.expire"))
            #expect(try await browser.text(try await browser.element("#lifecycle-status[data-flash=expire]")) == "The silence of AliExpress Total Listings was expired.")
            #expect(try await count("p.silenced") == 0)
            #expect(try await count("button.expire") == 0)

            // Marketing: its firing card, the status lines, no buttons and no forms.
            try await browser.click(try await browser.element(".logout button"))
            try await browser.type(marketing, into: try await browser.element("#token"))
            try await browser.click(try await browser.element("#login"))
            #expect(try await browser.text(try await browser.element("#card-aex_ship_to_country_coverage .badge")) == "▲ Critical")
            #expect(try await count("button[data-action]") == 0)
            #expect(try await count("form.silence-form") == 0)
            #expect(!(try await browser.source()).contains("Acknowledge</button>"))
        } catch {
            await browser.quit()
            throw error
        }
        await browser.quit()
        server.terminate()
        #expect(try await server.waitForExit(seconds: 30) == 0)

        // What the page did is in the store pulse ack and pulse silence read.
        let store = try HistoryStore(path: h.path("serve.sqlite").path)
        let acks = try store.acknowledgements(profile: "demo")
        #expect(acks.map(\.card) == ["aex_rejected_auditing_listings"] && acks.first?.by == "owner")
        let silences = try store.silences(profile: "demo", now: 0, ended: true)
        #expect(silences.count == 1 && silences.first?.cards == ["aex_total_listings"] && silences.first?.expiredAt != nil)
    }

    /// Attribute `name` of the element matching `css` ("" when it has none).
    private func attribute(_ browser: WebDriver, _ css: String, _ name: String) async throws -> String {
        _ = try await browser.element(css)
        let selector = css.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'")
        return try await browser.script("return document.querySelector('\(selector)').getAttribute('\(name)') || '';") as? String ?? ""
    }

    /// Issue 24, items 9-11 in a real browser: the store's name and local times with their age, a
    /// one-point sparkline as a dot with its value, hero cards marked, worklists without a
    /// horizontal scroll, listing ids linked with their titles; then a card's page from its title:
    /// the chart with dates and the trigger line, transitions, definition, sorting and paging.
    @Test func theStoreNameLocalTimesAndACardPageWithItsWholeWorklist() async throws {
        let h = try await ServeHarness.make(demoExtra: "store_name: Acme Outdoor\n")
        let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        let first = Self.rfc3339(now.addingTimeInterval(-4 * 3600)), second = Self.rfc3339(now.addingTimeInterval(-2 * 3600))
        try Self.writeHeader(takenAt: first, to: h.path("snapshots/demo/2026-03-17"))
        let server = try ChildProcess(Repo.binary, [
            "serve", "--cards", h.path("cards").path, "--profiles", h.path("profiles").path, "--snapshots", h.path("snapshots").path,
            "--db", h.path("serve.sqlite").path, "--tokens", h.path("tokens.yaml").path, "--listen", "127.0.0.1:0",
        ])
        defer { server.kill() }
        let listening = try await server.waitForLine(containing: "address=http://127.0.0.1:", seconds: 180)
        let address = try #require(listening.components(separatedBy: "address=").last?.split(separator: " ").first.map(String.init))
        let driverPort = try freePort()
        let driver = try ChildProcess(WebDriver.chromedriver, ["--port=\(driverPort)", "--allowed-ips=127.0.0.1"])
        defer { driver.kill() }
        _ = try await driver.waitForLine(containing: "started successfully", seconds: 60)
        let browser = try await WebDriver.start(port: driverPort)
        func count(_ css: String) async throws -> Int {
            try await browser.script("return document.querySelectorAll('\(css)').length;") as? Int ?? -1
        }
        do {
            try await browser.setImplicitWait(10_000)
            try await browser.open(address + "/")
            try await browser.type(try #require(h.tokens["owner"]), into: try await browser.element("#token"))
            try await browser.click(try await browser.element("#login"))

            // The store's name, not the profile key; times in the profile's zone with their age.
            #expect(try await browser.text(try await browser.element("#store-name")) == "Acme Outdoor")
            #expect(try await browser.title() == "Acme Outdoor · Pulse")
            #expect(try await browser.text(try await browser.element("#taken-at")).hasSuffix("(4 hours ago)"))
            #expect(try await browser.text(try await browser.element("header .meta")).contains("times in Europe/London"))
            // One recorded value: a dot with the value.
            #expect(try await browser.text(try await browser.element("#card-aex_rejected_auditing_listings svg.sparkline.single text")) == "28")
            // The hero card is marked; the others are not.
            #expect(try await browser.text(try await browser.element("#card-aex_rejected_listings_24h .hero-mark")) == "★ Hero card")
            #expect(try await count(".hero-mark") == 4, "four of the five cards are hero cards")
            #expect(try await count("#card-aex_ship_to_country_coverage .hero-mark") == 0)
            // The spike rule and the stock join's note.
            #expect(try await browser.text(try await browser.element("#card-aex_rejected_listings_24h .spike-rule")).hasPrefix("Spike rule: critical when"))
            #expect(try await browser.text(try await browser.element("#card-aex_xc_listed_but_oos_on_bc p.note.unmatched"))
                == "1 of 526 listing SKUs (0.2%) has no BigCommerce stock record, e.g. LAMP-022-GRN")
            // No worklist hides columns behind a horizontal scroll; the 4-column one shows 3.
            let overflowing = try await browser.script("""
                return Array.prototype.filter.call(document.querySelectorAll('article.card'), function (a) { return a.scrollWidth > a.clientWidth + 1; }).length;
                """) as? Int
            #expect(overflowing == 0)
            #expect(try await count("#card-aex_xc_listed_but_oos_on_bc table.worklist thead th") == 3)
            // A listing id links to its AliExpress page, its title beside it.
            let link = "#card-aex_rejected_auditing_listings table.worklist tbody tr:first-child td:first-child a"
            let id = try await browser.text(try await browser.element(link))
            #expect(try await attribute(browser, link, "href") == "https://www.aliexpress.com/item/\(id).html")
            #expect(try await browser.text(try await browser.element("#card-aex_rejected_auditing_listings table.worklist tbody tr:first-child .listing-title")).isEmpty == false)
            #expect(try await count("#card-aex_rejected_auditing_listings .listing-title") == 10)

            // The next day arrives; then the card's page, from its title.
            let staging = h.path("snapshots/demo/.2026-03-18.tmp-1")
            try FileManager.default.copyItem(at: Repo.root.appendingPathComponent("examples/demo-next"), to: staging)
            try Self.writeHeader(takenAt: second, to: staging)
            try FileManager.default.moveItem(at: staging, to: h.path("snapshots/demo/2026-03-18"))
            let updated = try await eventually(seconds: 30) { (try? await attribute(browser, "#taken-at", "datetime")) == second }
            #expect(updated)
            try await browser.click(try await browser.element("#title-aex_rejected_auditing_listings a"))
            #expect(try await browser.text(try await browser.element("h1#title-aex_rejected_auditing_listings")) == "AliExpress Rejected & Auditing Listings")
            #expect(try await browser.title() == "AliExpress Rejected & Auditing Listings · Acme Outdoor · Pulse")
            // The chart: two points, dates along the bottom, the trigger as a dashed line.
            #expect(try await count("svg.history-chart circle.point") == 2)
            #expect(try await count("svg.history-chart text.date") >= 1)
            #expect(try await count("svg.history-chart line.trigger-line") == 1)
            // Transitions, newest first, and the definition.
            #expect(try await browser.text(try await browser.element("ol.transitions li:first-child")).contains("inactive → firing critical (value 28)"))
            let definition = try await browser.text(try await browser.element("dl.definition"))
            #expect(definition.contains("listing.status == \"rejected\"") || definition.contains("Where"), "\(definition)")
            #expect(definition.contains("owner, operations"))
            // The whole worklist: 62 rows, 50 a page, every column.
            #expect(try await browser.text(try await browser.element("table.worklist.full caption")) == "62 rows; rows 1–50 shown (page 1 of 2)")
            #expect(try await count("table.worklist.full tbody tr") == 50)
            #expect(try await count("table.worklist.full thead th") == 3)
            try (try await browser.screenshot()).write(to: Repo.root.appendingPathComponent(".build/pulse-card-page.png"))
            // Sort by listing, descending (two clicks), then the next page.
            try await browser.click(try await browser.element("table.worklist.full thead th:first-child a"))
            #expect(try await attribute(browser, "table.worklist.full thead th:first-child", "aria-sort") == "ascending")
            try await browser.click(try await browser.element("table.worklist.full thead th:first-child a"))
            #expect(try await attribute(browser, "table.worklist.full thead th:first-child", "aria-sort") == "descending")
            let ids = try await browser.script("""
                return Array.prototype.map.call(document.querySelectorAll('table.worklist.full tbody tr td:first-child a'), function (a) { return a.textContent; });
                """) as? [String] ?? []
            #expect(ids.count == 50 && ids == ids.sorted(by: >), "\(ids.prefix(3))")
            try await browser.click(try await browser.element("nav.pages a.next"))
            #expect(try await browser.text(try await browser.element("table.worklist.full caption")) == "62 rows; rows 51–62 shown (page 2 of 2)")
            #expect(try await count("table.worklist.full tbody tr") == 12)
            let rest = try await browser.script("""
                return Array.prototype.map.call(document.querySelectorAll('table.worklist.full tbody tr td:first-child a'), function (a) { return a.textContent; });
                """) as? [String] ?? []
            #expect((rest.first ?? "") < (ids.last ?? ""), "page 2 continues the order")
        } catch {
            await browser.quit()
            throw error
        }
        await browser.quit()
        server.terminate()
        _ = try? await server.waitForExit(seconds: 30)
    }

    /// The class attribute of the element matching `css`.
    private func className(_ browser: WebDriver, _ css: String) async throws -> String {
        _ = try await browser.element(css)
        let selector = css.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'")
        return try await browser.script("return document.querySelector('\(selector)').className;") as? String ?? ""
    }

    /// RFC 3339 in UTC, whole seconds: how `#taken-at` shows a timestamp.
    static func rfc3339(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }

    /// Rewrites the snapshot.json of the snapshot folder `folder`: its taken_at and, when given,
    /// per-source times.
    static func writeHeader(takenAt: String, sources: [String: String] = [:], to folder: URL) throws {
        var header = "{\"format\": 1, \"store\": \"acme-outdoor\", \"taken_at\": \"\(takenAt)\""
        if !sources.isEmpty {
            header += ", \"sources\": {" + sources.sorted { $0.key < $1.key }.map { "\"\($0.key)\": {\"taken_at\": \"\($0.value)\"}" }.joined(separator: ", ") + "}"
        }
        try Data((header + "}\n").utf8).write(to: folder.appendingPathComponent("snapshot.json"))
    }

    /// Checks `condition` every 200 ms until it holds or `seconds` pass.
    private func eventually(seconds: Double, _ condition: () async -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if await condition() { return true }
            try await Task.sleep(for: .milliseconds(200))
        }
        return await condition()
    }
}

/// A free TCP port on 127.0.0.1 (bound, read, released).
func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
    }
    guard bound else { throw WebDriver.Failure(description: "no free port") }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// A child process whose output (stdout and stderr together) is collected, and whose lines can
/// be waited for.
final class ChildProcess: Sendable {
    private let process: Process
    private let collected = NIOLockedValueBox(Data())

    init(_ path: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        let collected = self.collected
        pipe.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if !data.isEmpty { collected.withLockedValue { $0.append(data) } }
        }
        try process.run()
        self.process = process
    }

    var output: String { String(decoding: collected.withLockedValue { $0 }, as: UTF8.self) }

    /// The `occurrence`th line of output containing `text`, waiting up to `seconds`.
    func waitForLine(containing text: String, occurrence: Int = 1, seconds: Double) async throws -> String {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let lines = output.split(separator: "\n").filter { $0.contains(text) }
            if lines.count >= occurrence { return String(lines[occurrence - 1]) }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        let state = process.isRunning ? "still running" : "exited with \(process.terminationStatus)"
        throw WebDriver.Failure(description: "no line with '\(text)' from \(process.executableURL?.path ?? "?") in \(seconds) s (\(state)); it printed:\n\(output)")
    }

    func terminate() { process.terminate() }

    func signal(_ number: Int32) { _ = Glibc.kill(process.processIdentifier, number) }

    /// Ends the process for good (chromedriver does not always exit on SIGTERM): SIGKILL.
    func kill() {
        guard process.isRunning else { return }
        _ = Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// The exit status, waiting up to `seconds`.
    func waitForExit(seconds: Double) async throws -> Int32 {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
        guard !process.isRunning else { throw WebDriver.Failure(description: "still running after \(seconds) s:\n\(output)") }
        return process.terminationStatus
    }
}
