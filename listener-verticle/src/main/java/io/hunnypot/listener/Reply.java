package io.hunnypot.listener;

import java.util.List;

/**
 * One SMTP reply as a value: its code, its enhanced status code (RFC 3463; null where a reply
 * carries none) and one or more lines of text. No reply ever names the trap: to a client this
 * is an ordinary mail server having a temporary problem.
 */
record Reply(int code, String status, List<String> lines) {

  static final Reply OK = new Reply(250, "2.0.0", "Ok");
  static final Reply SENDER_OK = new Reply(250, "2.1.0", "Ok");
  static final Reply RECIPIENT_OK = new Reply(250, "2.1.5", "Ok");
  static final Reply CANNOT_VRFY = new Reply(252, "2.0.0", "Cannot VRFY user, but will accept message and attempt delivery");
  static final Reply BYE = new Reply(221, "2.0.0", "Bye");

  /** Temporary, so that an honest sender retries through another MX and loses nothing. */
  static final Reply TRY_AGAIN_LATER = new Reply(451, "4.3.0", "Temporary failure, please try again later");
  static final Reply TOO_MANY_RECIPIENTS = new Reply(452, "4.5.3", "Error: too many recipients");

  static final Reply UNRECOGNIZED = new Reply(500, "5.5.2", "Error: command not recognized");
  static final Reply LINE_TOO_LONG = new Reply(500, "5.5.2", "Error: line too long");
  static final Reply HELO_SYNTAX = new Reply(501, "5.5.4", "Syntax: HELO hostname");
  static final Reply EHLO_SYNTAX = new Reply(501, "5.5.4", "Syntax: EHLO hostname");
  static final Reply MAIL_SYNTAX = new Reply(501, "5.5.4", "Syntax: MAIL FROM:<address>");
  static final Reply RCPT_SYNTAX = new Reply(501, "5.5.4", "Syntax: RCPT TO:<address>");
  static final Reply NOT_IMPLEMENTED = new Reply(502, "5.5.1", "Error: command not implemented");
  static final Reply HELO_FIRST = new Reply(503, "5.5.1", "Error: send HELO/EHLO first");
  static final Reply NESTED_MAIL = new Reply(503, "5.5.1", "Error: nested MAIL command");
  static final Reply MAIL_FIRST = new Reply(503, "5.5.1", "Error: need MAIL command");
  static final Reply RCPT_FIRST = new Reply(503, "5.5.1", "Error: need RCPT command");

  // Each 421 closes the connection.
  static final Reply TOO_MANY_CONNECTIONS = new Reply(421, "4.7.0", "Error: too many connections");
  static final Reply TOO_MANY_ERRORS = new Reply(421, "4.7.0", "Error: too many errors");
  static final Reply TOO_MUCH_DATA = new Reply(421, "4.7.0", "Error: too much data");
  static final Reply NOT_SMTP = new Reply(421, "4.7.0", "Error: protocol violation");
  static final Reply TIMEOUT = new Reply(421, "4.4.2", "Error: timeout exceeded");
  static final Reply SHUTTING_DOWN = new Reply(421, "4.3.2", "Service shutting down");
  static final Reply UNAVAILABLE = new Reply(421, "4.3.2", "Service not available, closing transmission channel");

  Reply {
    lines = List.copyOf(lines);
  }

  Reply(int code, String status, String line) {
    this(code, status, List.of(line));
  }

  /** Counts against the session's error limit. */
  boolean isPermanentError() {
    return code >= 500;
  }

  /** Appends the wire form: {@code 250-first}, ..., {@code 250 last}, each ending in CRLF. */
  void render(StringBuilder out) {
    for (int i = 0; i < lines.size(); i++) {
      out.append(code).append(i == lines.size() - 1 ? ' ' : '-');
      if (status != null) {
        out.append(status).append(' ');
      }
      out.append(lines.get(i)).append("\r\n");
    }
  }

  @Override
  public String toString() {
    StringBuilder out = new StringBuilder();
    render(out);
    return out.toString();
  }
}
