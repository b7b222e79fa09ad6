import Foundation
import TrellisCore

/// A realistic, deterministic organisation for demos and manual testing: Larkspur Labs, about
/// two hundred people in nine departments, with reporting chains, offices on five continents and
/// tags drawn from one coherent skills vocabulary.
public enum DemoOrganisation {
    public static let name = "Larkspur Labs"
    public static let emailDomain = "larkspur.example"
    /// The password every demo account shares.
    public static let password = "trellis-demo"
    /// The program manager's sign-in.
    public static let adminEmail = "morgan.lee@larkspur.example"
    /// A participant's sign-in (a mentee looking for a mentor).
    public static let participantEmail = "sam.rivera@larkspur.example"

    public struct Person: Sendable, Equatable {
        public var record: PersonRecord
        public var isAdmin: Bool
        public var headline: String
        public var bio: String
        public var careerGoals: String
        public var location: String
        public var phone: String
        public var contactPrivate: Bool
        public var hoursPerMonth: Int?
        public var communication: [CommunicationMethod]

        /// The person's profile as a form or the API would send it.
        public var draft: ProfileDraft {
            var tags: [TagKind: [String]] = [:]
            for kind in TagKind.allCases { tags[kind] = record.tags(kind) }
            return ProfileDraft(
                name: record.name, headline: headline, bio: bio, department: record.department,
                yearsExperience: record.yearsExperience, timezone: record.timezone, mentoringRole: record.role,
                capacityMentees: record.capacity, capacityHoursPerMonth: hoursPerMonth, meetingFrequency: record.meetingFrequency,
                communicationMethods: communication, careerGoals: careerGoals, phone: phone, location: location,
                contactPrivate: contactPrivate, tags: tags
            )
        }
    }

    struct Office {
        let city: String
        let timezone: String
        let language: String?
        let firstNames: [String]
        let lastNames: [String]
        let phonePrefix: String
    }

    static let offices: [Office] = [
        Office(city: "London", timezone: "Europe/London", language: nil,
               firstNames: ["Oliver", "Amelia", "Harry", "Isla", "George", "Freya", "Arjun", "Zara", "Callum", "Imogen"],
               lastNames: ["Hughes", "Patel", "Clarke", "Okafor", "Bennett", "Walsh", "Khan", "Fletcher", "Reid", "Morgan"],
               phonePrefix: "+44 20 7946"),
        Office(city: "Berlin", timezone: "Europe/Berlin", language: "German",
               firstNames: ["Lukas", "Lena", "Jonas", "Mia", "Felix", "Hannah", "Emre", "Clara", "Moritz", "Leonie"],
               lastNames: ["Becker", "Schulz", "Yilmaz", "Hoffmann", "Wagner", "Krüger", "Neumann", "Schäfer", "Vogel", "Braun"],
               phonePrefix: "+49 30 901820"),
        Office(city: "New York", timezone: "America/New_York", language: "Spanish",
               firstNames: ["Maya", "Marcus", "Sofia", "Darnell", "Emily", "Luis", "Grace", "Andre", "Olivia", "Nathan"],
               lastNames: ["Johnson", "Rivera", "Williams", "Chen", "Brooks", "Martinez", "Cohen", "Washington", "Park", "Sullivan"],
               phonePrefix: "+1 212 555"),
        Office(city: "San Francisco", timezone: "America/Los_Angeles", language: "Mandarin",
               firstNames: ["Ethan", "Chloe", "Kai", "Priya", "Wei", "Hannah", "Diego", "Aisha", "Ryan", "Mei"],
               lastNames: ["Nguyen", "Kim", "Zhang", "Garcia", "Shah", "Thompson", "Lin", "Lopez", "Tanaka", "Wright"],
               phonePrefix: "+1 415 555"),
        Office(city: "São Paulo", timezone: "America/Sao_Paulo", language: "Portuguese",
               firstNames: ["Lucas", "Beatriz", "Gabriel", "Juliana", "Rafael", "Camila", "Thiago", "Larissa", "Mateus", "Fernanda"],
               lastNames: ["Silva", "Santos", "Oliveira", "Souza", "Costa", "Pereira", "Almeida", "Ferreira", "Carvalho", "Ribeiro"],
               phonePrefix: "+55 11 5550"),
        Office(city: "Lagos", timezone: "Africa/Lagos", language: "Yoruba",
               firstNames: ["Chidi", "Amara", "Tunde", "Ngozi", "Emeka", "Folake", "Kelechi", "Zainab", "Seun", "Adaeze"],
               lastNames: ["Adeyemi", "Okonkwo", "Balogun", "Eze", "Olawale", "Nwosu", "Bello", "Adebayo", "Obi", "Afolabi"],
               phonePrefix: "+234 1 555"),
        Office(city: "Bengaluru", timezone: "Asia/Kolkata", language: "Hindi",
               firstNames: ["Aarav", "Ananya", "Rohan", "Diya", "Vikram", "Kavya", "Aditya", "Meera", "Karthik", "Nisha"],
               lastNames: ["Sharma", "Iyer", "Reddy", "Nair", "Gupta", "Menon", "Rao", "Desai", "Kulkarni", "Pillai"],
               phonePrefix: "+91 80 5550"),
        Office(city: "Singapore", timezone: "Asia/Singapore", language: "Mandarin",
               firstNames: ["Wei Ling", "Jun Jie", "Hui Min", "Darren", "Siti", "Marcus", "Xin Yi", "Hafiz", "Rachel", "Jia Hao"],
               lastNames: ["Tan", "Lim", "Lee", "Ng", "Wong", "Rahman", "Goh", "Chua", "Teo", "Ong"],
               phonePrefix: "+65 6555"),
        Office(city: "Tokyo", timezone: "Asia/Tokyo", language: "Japanese",
               firstNames: ["Haruto", "Yui", "Sota", "Aoi", "Ren", "Hina", "Takumi", "Sakura", "Kenji", "Emi"],
               lastNames: ["Sato", "Suzuki", "Takahashi", "Watanabe", "Ito", "Yamamoto", "Nakamura", "Kobayashi", "Kato", "Yoshida"],
               phonePrefix: "+81 3 5550"),
        Office(city: "Sydney", timezone: "Australia/Sydney", language: nil,
               firstNames: ["Jack", "Charlotte", "Liam", "Matilda", "Noah", "Ruby", "Cooper", "Ava", "Hamish", "Sienna"],
               lastNames: ["Smith", "O'Brien", "Taylor", "Nguyen", "Campbell", "Kelly", "Mitchell", "Singh", "Murray", "Ryan"],
               phonePrefix: "+61 2 5550"),
    ]

    struct Department {
        let name: String
        let headTitle: String
        let managerTitle: String
        let seniorTitle: String
        let titles: [String]
        let field: String
        let skills: [String]
        let size: Int
    }

    static let departments: [Department] = [
        Department(name: "Engineering", headTitle: "VP of Engineering", managerTitle: "Engineering Manager", seniorTitle: "Staff Software Engineer",
                   titles: ["Software Engineer", "Senior Software Engineer", "Site Reliability Engineer", "Mobile Engineer", "Security Engineer"],
                   field: "software engineering",
                   skills: ["Swift", "Distributed systems", "System design", "Code review", "Cloud infrastructure", "Kubernetes", "Observability",
                            "API design", "Security", "Testing strategy", "Performance tuning", "Mobile development", "Incident response", "Databases"],
                   size: 46),
        Department(name: "Product", headTitle: "Chief Product Officer", managerTitle: "Group Product Manager", seniorTitle: "Principal Product Manager",
                   titles: ["Product Manager", "Senior Product Manager", "Associate Product Manager", "Technical Product Manager"],
                   field: "product management",
                   skills: ["Product strategy", "Roadmapping", "User research", "Prioritisation", "Experimentation", "Product discovery",
                            "Pricing", "Go-to-market", "Metrics & KPIs", "Writing specs"],
                   size: 22),
        Department(name: "Design", headTitle: "Head of Design", managerTitle: "Design Manager", seniorTitle: "Principal Designer",
                   titles: ["Product Designer", "Senior Product Designer", "UX Researcher", "Content Designer"],
                   field: "product design",
                   skills: ["Interaction design", "Design systems", "Accessibility", "User research", "Prototyping", "Visual design",
                            "Information architecture", "Usability testing", "Content design"],
                   size: 16),
        Department(name: "Data & Analytics", headTitle: "Head of Data", managerTitle: "Analytics Manager", seniorTitle: "Principal Data Scientist",
                   titles: ["Data Scientist", "Data Analyst", "Analytics Engineer", "Machine Learning Engineer"],
                   field: "data science",
                   skills: ["Machine learning", "Statistics", "SQL", "Data visualisation", "Experimentation", "Python", "Data engineering",
                            "Forecasting", "Causal inference", "Metrics & KPIs"],
                   size: 20),
        Department(name: "Sales", headTitle: "VP of Sales", managerTitle: "Sales Manager", seniorTitle: "Enterprise Account Executive",
                   titles: ["Account Executive", "Sales Development Representative", "Solutions Engineer", "Account Manager"],
                   field: "sales",
                   skills: ["Negotiation", "Enterprise sales", "Pipeline management", "Discovery calls", "Solution selling", "Forecasting",
                            "Account planning", "Presentation skills"],
                   size: 26),
        Department(name: "Marketing", headTitle: "Chief Marketing Officer", managerTitle: "Marketing Manager", seniorTitle: "Senior Brand Strategist",
                   titles: ["Content Marketer", "Product Marketing Manager", "Growth Marketer", "Brand Designer", "Community Manager"],
                   field: "marketing",
                   skills: ["Brand strategy", "Content strategy", "SEO", "Go-to-market", "Copywriting", "Campaign analytics",
                            "Community building", "Positioning", "Events"],
                   size: 20),
        Department(name: "Customer Success", headTitle: "VP of Customer Success", managerTitle: "Customer Success Manager Lead", seniorTitle: "Principal Customer Success Manager",
                   titles: ["Customer Success Manager", "Support Engineer", "Implementation Consultant", "Support Specialist"],
                   field: "customer success",
                   skills: ["Customer onboarding", "Relationship management", "Escalation handling", "Renewals", "Technical support",
                            "Training delivery", "Customer advocacy", "Process improvement"],
                   size: 20),
        Department(name: "People & Culture", headTitle: "Chief People Officer", managerTitle: "People Partner Lead", seniorTitle: "Senior People Partner",
                   titles: ["People Partner", "Talent Acquisition Partner", "Learning & Development Specialist", "Program Manager, Mentoring"],
                   field: "people operations",
                   skills: ["Coaching", "Hiring & interviewing", "Employment law", "Learning design", "Organisational design",
                            "Diversity & inclusion", "Compensation", "Change management"],
                   size: 14),
        Department(name: "Finance", headTitle: "Chief Financial Officer", managerTitle: "Finance Manager", seniorTitle: "Senior Financial Analyst",
                   titles: ["Financial Analyst", "Accountant", "FP&A Analyst", "Procurement Specialist"],
                   field: "finance",
                   skills: ["Financial modelling", "Budgeting", "Forecasting", "Accounting", "Procurement", "Risk management",
                            "Spreadsheet modelling", "Investor relations"],
                   size: 14),
    ]

    /// Skills anyone may teach or want to grow.
    static let sharedSkills = [
        "Public speaking", "Stakeholder management", "Giving feedback", "Career planning", "Strategic thinking",
        "Time management", "Conflict resolution", "People management", "Writing", "Project management",
        "Leading without authority", "Negotiation", "Coaching", "Decision making", "Cross-team collaboration",
    ]

    static let interests = [
        "Climbing", "Running", "Cycling", "Photography", "Board games", "Cooking", "Gardening", "Jazz", "Chess",
        "Hiking", "Science fiction", "Podcasts", "Volunteering", "Yoga", "Football", "Writing fiction", "Travel",
        "Open source", "Music production", "Sketching", "Woodworking", "Languages", "Baking", "Parenting", "History",
    ]

    static let values = [
        "Curiosity", "Integrity", "Craftsmanship", "Inclusion", "Candour", "Kindness", "Ownership", "Growth mindset",
        "Sustainability", "Autonomy", "Collaboration", "Impact", "Balance", "Learning", "Transparency",
    ]

    static let goalsByLevel: [[String]] = [
        ["Grow into a senior role within two years", "Build confidence presenting to leadership", "Learn how other teams work",
         "Find a specialism I love", "Get better at estimating and planning my work"],
        ["Move into people management", "Lead a cross-team initiative", "Become a recognised expert in my field",
         "Broaden into strategy", "Mentor others more effectively"],
        ["Develop the next generation of leaders", "Shape the company's long-term strategy", "Give back by mentoring",
         "Learn from people earlier in their careers (reverse mentoring)", "Build a more inclusive organisation"],
    ]

    /// The whole organisation, the same on every run for the same seed.
    public static func people(seed: UInt64 = 2026) -> [Person] {
        var rng = SeededGenerator(seed: seed)
        var used = Set<String>()
        var people: [Person] = []

        func makeName(_ office: Office) -> (String, String) {
            for _ in 0..<200 {
                let first = rng.pick(office.firstNames)
                let last = rng.pick(office.lastNames)
                let local = emailLocal(first, last)
                if used.insert(local).inserted { return ("\(first) \(last)", "\(local)@\(emailDomain)") }
            }
            // Every office has 100 combinations; with two hundred people a clash run this long cannot happen,
            // but fall back to a numbered address rather than loop forever.
            let first = office.firstNames[0], last = office.lastNames[0]
            var n = 2
            while !used.insert("\(emailLocal(first, last))\(n)").inserted { n += 1 }
            return ("\(first) \(last)", "\(emailLocal(first, last))\(n)@\(emailDomain)")
        }

        func add(
            name: String, email: String, title: String, department: Department, office: Office,
            manager: String?, level: Int, years: Int, isAdmin: Bool = false, role overrideRole: MentoringRole? = nil
        ) {
            let role: MentoringRole = overrideRole ?? (level >= 2 ? (rng.next() % 4 == 0 ? .both : .mentor) : level == 1 ? (rng.next() % 3 == 0 ? .mentor : .both) : .mentee)
            let ownSkills = department.skills
            let expertiseCount = role.canMentor ? Int.random(in: 3...6, using: &rng) : Int.random(in: 0...2, using: &rng)
            var expertise = rng.sample(ownSkills, count: max(expertiseCount - 1, 0))
            if role.canMentor || level > 0 { expertise += rng.sample(sharedSkills, count: 1 + (level >= 2 ? 1 : 0)) }
            // Development areas: the next step's skills; juniors look to their own field and to shared skills,
            // seniors to leadership and sometimes a neighbouring field.
            let developmentCount = role.wantsMentor ? Int.random(in: 3...6, using: &rng) : Int.random(in: 1...2, using: &rng)
            let neighbour = rng.pick(departments.filter { $0.name != department.name })
            var developmentPool = level == 0 ? ownSkills + sharedSkills : sharedSkills + neighbour.skills
            developmentPool.removeAll { expertise.contains($0) }
            let development = rng.sample(developmentPool, count: developmentCount)
            var languages = ["English"]
            if let language = office.language { languages.append(language) }
            if rng.next() % 5 == 0 { languages.append(rng.pick(["French", "Spanish", "German", "Arabic", "Italian", "Korean"])) }
            let capacity: Int? = role.canMentor ? (level >= 2 ? Int.random(in: 2...3, using: &rng) : Int.random(in: 1...2, using: &rng)) : nil
            let frequency: MeetingFrequency = rng.pick(level == 0 ? [.weekly, .biweekly, .biweekly, .monthly] : [.biweekly, .monthly, .monthly, .asNeeded])
            let personInterests = rng.sample(interests, count: Int.random(in: 2...5, using: &rng))
            let personValues = rng.sample(values, count: Int.random(in: 2...4, using: &rng))
            let goals = rng.sample(goalsByLevel[min(level, 2)], count: 2)
            let first = name.split(separator: " ").first.map(String.init) ?? name
            let focus = expertise.first ?? development.first ?? department.field
            let experience = years == 0 ? "is in their first year in \(department.field)" : "has spent \(years) year\(years == 1 ? "" : "s") in \(department.field)"
            let bio = "\(first) \(experience) and works from our \(office.city) office. "
                + (expertise.isEmpty ? "" : "Happy to help with \(expertise.prefix(3).joined(separator: ", ").lowercased()). ")
                + (development.isEmpty ? "" : "Currently learning about \(development.prefix(2).joined(separator: " and ").lowercased()). ")
                + "Outside work: \(personInterests.prefix(2).joined(separator: " and ").lowercased())."
            let methods = rng.sample([CommunicationMethod.video, .chat, .inPerson, .email, .phone], count: Int.random(in: 2...3, using: &rng))
            let record = PersonRecord(
                email: email, name: name, role: role, department: department.name, managerEmail: manager,
                timezone: office.timezone, languages: languages, expertise: expertise, developmentAreas: development,
                interests: personInterests, values: personValues, capacity: capacity, meetingFrequency: frequency,
                yearsExperience: years
            )
            people.append(Person(
                record: record, isAdmin: isAdmin, headline: "\(title) · \(focus)", bio: bio,
                careerGoals: goals.joined(separator: ". ") + ".", location: office.city,
                phone: "\(office.phonePrefix) \(String(format: "%03d", Int(rng.next() % 1000)))",
                contactPrivate: rng.next() % 3 == 0,
                hoursPerMonth: role.canMentor ? rng.pick([2, 4, 4, 6, 8]) : nil, communication: methods
            ))
        }

        let london = offices[0]
        used.insert("olivia.hart")
        let ceoEmail = "olivia.hart@\(emailDomain)"
        let peopleDepartment = departments.first { $0.name == "People & Culture" }!
        add(name: "Olivia Hart", email: ceoEmail, title: "Chief Executive Officer", department: peopleDepartment, office: london,
            manager: nil, level: 3, years: 24, role: .mentor)
        people[people.count - 1].record.department = "Executive"

        for (index, department) in departments.enumerated() {
            let headOffice = offices[index % offices.count]
            let (headName, headEmail) = makeName(headOffice)
            add(name: headName, email: headEmail, title: department.headTitle, department: department, office: headOffice,
                manager: ceoEmail, level: 3, years: Int.random(in: 15...25, using: &rng))
            let teamCount = max(1, department.size / 8)
            var remaining = department.size - 1 - teamCount
            for team in 0..<teamCount {
                // Teams sit in two or three offices so that time zones vary inside a department.
                let teamOffice = offices[(index * 3 + team * 4 + 2) % offices.count]
                var managerName: String, managerEmail: String
                if department.name == "People & Culture" && team == 0 {
                    managerName = "Morgan Lee"
                    managerEmail = adminEmail
                    used.insert("morgan.lee")
                } else {
                    (managerName, managerEmail) = makeName(teamOffice)
                }
                add(name: managerName, email: managerEmail, title: department.name == "People & Culture" && team == 0 ? "Program Manager, Mentoring" : department.managerTitle,
                    department: department, office: teamOffice, manager: headEmail, level: 2,
                    years: Int.random(in: 9...16, using: &rng), isAdmin: managerEmail == adminEmail)
                let teamSize = team == teamCount - 1 ? remaining : min(remaining, department.size / teamCount - 1)
                remaining -= teamSize
                for member in 0..<teamSize {
                    let memberOffice = member % 3 == 2 ? offices[(index + member) % offices.count] : teamOffice
                    var (memberName, memberEmail) = makeName(memberOffice)
                    var roleOverride: MentoringRole?
                    if department.name == "Engineering" && team == 0 && member == 0 {
                        memberName = "Sam Rivera"
                        memberEmail = participantEmail
                        used.insert("sam.rivera")
                        roleOverride = .mentee
                    }
                    let senior = member % 4 == 0 && roleOverride == nil
                    let years = senior ? Int.random(in: 6...12, using: &rng) : Int.random(in: 0...5, using: &rng)
                    let title = senior ? department.seniorTitle : rng.pick(department.titles)
                    add(name: memberName, email: memberEmail, title: title, department: department, office: memberOffice,
                        manager: managerEmail, level: senior ? 1 : 0, years: roleOverride == .mentee ? 2 : years, role: roleOverride)
                }
            }
        }
        return people
    }

    static func emailLocal(_ first: String, _ last: String) -> String {
        let raw = "\(first).\(last)".lowercased().replacingOccurrences(of: " ", with: "")
        let folded = raw.folding(options: [.diacriticInsensitive], locale: Locale(identifier: "en_US_POSIX"))
        return String(folded.filter { $0.isLetter || $0 == "." })
    }
}
