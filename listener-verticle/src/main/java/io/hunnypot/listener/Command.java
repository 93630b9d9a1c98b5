package io.hunnypot.listener;

import java.util.Map;
import java.util.TreeMap;

/** The SMTP commands the listener knows, from HELO to TURN; those it does not offer get 502. */
enum Command {
  HELO, EHLO, MAIL, RCPT, DATA, RSET, NOOP, VRFY, QUIT,
  EXPN, HELP, ETRN, STARTTLS, AUTH, BDAT, TURN;

  private static final Map<String, Command> BY_VERB = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);

  static {
    for (Command command : values()) {
      BY_VERB.put(command.name(), command);
    }
  }

  /** The command this verb names, in any case, or null if it names none. */
  static Command ofVerb(String verb) {
    return BY_VERB.get(verb);
  }
}
