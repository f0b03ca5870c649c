/// One event to append, with the input line it came from (for error messages).
package struct NumberedEvent: Sendable {
    package var line: Int
    package var event: Event
    package init(line: Int, event: Event) {
        self.line = line
        self.event = event
    }
}
