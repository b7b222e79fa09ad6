import Foundation

/// What a pair brings to and takes from a meeting: the agenda, notes and action items.

public enum AgendaKind: String, Sendable, CaseIterable, Codable {
    case topic, question, update

    public var label: String {
        switch self {
        case .topic: "Topic"
        case .question: "Question"
        case .update: "Update"
        }
    }
}

public enum MeetingTexts {
    public static let agendaItem = ProfileRules.Text(label: "Agenda item", maximum: 1_000, required: true)
    public static let note = ProfileRules.Text(label: "Note", maximum: 10_000, required: true)
    public static let actionItem = ProfileRules.Text(label: "Action item", maximum: 500, required: true)
    /// A meeting's agenda and notes stay a readable size.
    public static let mostAgendaItems = 50
    public static let mostNotes = 100
    public static let mostOpenActionItems = 100
}

/// An action item as the rules read it.
public struct ActionItem: Sendable, Equatable, Identifiable {
    public var id: UUID
    public var text: String
    public var owner: PairSide
    public var dueOn: CalendarDay?
    public var done: Bool
    /// The meeting it came from (nil: added outside a meeting).
    public var meeting: UUID?
    public var createdAt: Date

    public init(id: UUID, text: String, owner: PairSide, dueOn: CalendarDay?, done: Bool, meeting: UUID?, createdAt: Date) {
        self.id = id
        self.text = text
        self.owner = owner
        self.dueOn = dueOn
        self.done = done
        self.meeting = meeting
        self.createdAt = createdAt
    }
}

public enum ActionItems {
    /// A meeting as the carry-over reads it.
    public struct Slot: Sendable, Equatable {
        public var id: UUID
        public var startsAt: Date
        public var endsAt: Date
        public var cancelled: Bool
        public init(id: UUID, startsAt: Date, endsAt: Date, cancelled: Bool) {
            self.id = id
            self.startsAt = startsAt
            self.endsAt = endsAt
            self.cancelled = cancelled
        }
    }

    /// The meeting an open item is carried over to: the earliest meeting, not cancelled and not
    /// yet over, that starts after the item was added and after the meeting it came from. While
    /// it stays open it moves on to the next one by itself; done, it is on no agenda.
    public static func nextMeeting(for item: ActionItem, among meetings: [Slot], now: Date) -> UUID? {
        guard !item.done else { return nil }
        let source = item.meeting.flatMap { id in meetings.first { $0.id == id } }
        let after = max(item.createdAt, source?.startsAt ?? .distantPast)
        return meetings.filter { !$0.cancelled && $0.id != item.meeting && $0.startsAt > after && $0.endsAt > now }
            .min { ($0.startsAt, $0.id.uuidString) < ($1.startsAt, $1.id.uuidString) }?.id
    }

    /// The open items a meeting's agenda carries over by itself (`nextMeeting`), soonest due first.
    public static func carriedOver(_ items: [ActionItem], to meeting: UUID, among meetings: [Slot], now: Date) -> [ActionItem] {
        let far = CalendarDay(year: 2999, month: 12, day: 31)!
        return items.filter { nextMeeting(for: $0, among: meetings, now: now) == meeting }
            .sorted { ($0.dueOn ?? far, $0.createdAt) < ($1.dueOn ?? far, $1.createdAt) }
    }

    /// Open items whose due day has passed.
    public static func overdue(_ items: [ActionItem], today: CalendarDay) -> [ActionItem] {
        items.filter { item in !item.done && item.dueOn.map { $0 < today } == true }
    }

    /// The due day an action item may have: empty for none, else a real day from today on.
    public static func dueDay(_ text: String, today: CalendarDay) -> Result<CalendarDay?, ValidationErrors> {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty { return .success(nil) }
        guard let day = CalendarDay(trimmed) else {
            return .failure(ValidationErrors(field: "due_on", "Due date: write a real day from 2000-01-01 to 2999-12-31 as YYYY-MM-DD (got “\(trimmed.quoted(40))”)."))
        }
        if day < today { return .failure(ValidationErrors(field: "due_on", "The due date is before today (\(today)): choose today or a later day.")) }
        return .success(day)
    }
}

/// Numbers as words in sentences ("two action items are overdue").
public enum Counted {
    static let words = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]

    public static func phrase(_ count: Int, _ singular: String, _ plural: String) -> String {
        "\(count < words.count ? words[count] : String(count)) \(count == 1 ? singular : plural)"
    }
}

/// What the workspace asks each of the pair to do about meetings, most pressing first.
public enum MeetingSteps {
    public struct Upcoming: Sendable {
        public var state: MeetingState
        public var proposedBy: PairSide
        /// "Thursday 10 December, 14:00", in the reader's zone.
        public var when: String
        /// "Thursday", for "add a topic to Thursday's agenda".
        public var weekday: String
        public var myAgendaItems: Int
        public var theirAgendaItems: Int

        public init(state: MeetingState, proposedBy: PairSide, when: String, weekday: String, myAgendaItems: Int, theirAgendaItems: Int) {
            self.state = state
            self.proposedBy = proposedBy
            self.when = when
            self.weekday = weekday
            self.myAgendaItems = myAgendaItems
            self.theirAgendaItems = theirAgendaItems
        }
    }

    /// `upcoming` is the next meeting not cancelled (nil: none ahead); `everMet` whether any
    /// meeting was ever proposed; `overdueMine` the reader's overdue action items.
    public static func steps(for side: PairSide, otherName: String, upcoming: Upcoming?, everProposed: Bool, overdueMine: Int, meetingsInTrellis: Bool = true) -> [String] {
        var steps: [String] = []
        if let next = upcoming {
            if next.state == .proposed {
                steps.append(next.proposedBy == side
                    ? "Waiting for \(otherName) to accept the meeting on \(next.when)."
                    : "\(otherName) proposed a meeting on \(next.when): accept it or propose another time.")
            }
            if next.myAgendaItems == 0 {
                steps.append("Add a topic to \(next.weekday)'s agenda.")
            } else if next.theirAgendaItems == 0 {
                steps.append("\(otherName) has not added anything to \(next.weekday)'s agenda yet.")
            }
        } else if meetingsInTrellis {
            if !everProposed {
                steps.append(side == .mentee
                    ? "Propose your first meeting: as the mentee, you take the initiative."
                    : "\(otherName) is asked to propose your first meeting; you can propose one too.")
            } else {
                steps.append(side == .mentee ? "No meeting is planned: propose the next one." : "No meeting is planned: propose the next one, or ask \(otherName) to.")
            }
        }
        if overdueMine > 0 {
            steps.append("\(Counted.phrase(overdueMine, "action item", "action items").capitalizedFirst) of yours \(overdueMine == 1 ? "is" : "are") overdue.")
        }
        return steps
    }
}

extension String {
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
