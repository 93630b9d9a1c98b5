package io.hunnypot.listener;

import io.hunnypot.contract.SessionEnd;
import io.hunnypot.listener.LineParser.Frame;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The SMTP dialogue of one connection, as a state machine without I/O: bytes in, the rendered
 * replies to them out. It learns what the sighting reports (HELO name, sender, recipients,
 * bytes, commands, how the session ended) and enforces the per-session limits. Once it has
 * ended, nothing more is answered.
 */
final class SmtpSession {

  private static final Pattern HTTP_REQUEST =
      Pattern.compile("(GET|POST|HEAD|PUT|DELETE|CONNECT|OPTIONS|TRACE|PATCH) \\S+ HTTP/\\d(\\.\\d)?");

  private final SessionSettings settings;
  private final Consumer<String> recipientDomains;
  private final LineParser parser;

  // Connection-scoped: what the sighting reports.
  private String helo;
  private String sender;
  private List<String> recipients = List.of();
  private long bytes;
  private int commands;
  private int errors;
  private SessionEnd ending;

  // Transaction-scoped: reset by RSET, HELO/EHLO and after DATA.
  private boolean mailGiven;
  private boolean recipientGiven;

  /** @param recipientDomains told the domain of each accepted recipient, lower case, as it arrives */
  SmtpSession(SessionSettings settings, Consumer<String> recipientDomains) {
    this.settings = settings;
    this.recipientDomains = recipientDomains;
    this.parser = new LineParser(settings.maxLineLength());
  }

  String greeting() {
    return settings.greeting().toString();
  }

  /** Answers everything in one read from the client, in order. */
  String receive(byte[] data) {
    long before = bytes;
    bytes += data.length;
    if (ending != null) {
      return "";
    }
    StringBuilder out = new StringBuilder();
    // Only the bytes within the cap are read; past it, the session ends.
    parser.feed(data, 0, (int) Math.max(0, Math.min(data.length, settings.maxBytes() - before)));
    for (Frame frame = parser.next(); frame != Frame.NEED_MORE && ending == null; frame = parser.next()) {
      switch (frame) {
        case LINE -> answer(command(parser.line()), out);
        case TOO_LONG -> {
          commands++;
          answer(Reply.LINE_TOO_LONG, out);
        }
        case BINARY -> end(SessionEnd.PROTOCOL_ERROR, Reply.NOT_SMTP).render(out);
      }
    }
    if (ending == null && bytes > settings.maxBytes()) {
      end(SessionEnd.BYTE_CAP, Reply.TOO_MUCH_DATA).render(out);
    }
    return out.toString();
  }

  /** Ends a connection over a connection limit: it gets no greeting. */
  String refuse() {
    return endWith(SessionEnd.CONNECTION_LIMIT, Reply.TOO_MANY_CONNECTIONS);
  }

  String idleTimeout() {
    return endWith(SessionEnd.IDLE_TIMEOUT, Reply.TIMEOUT);
  }

  String shutdown() {
    return endWith(SessionEnd.SHUTDOWN, Reply.SHUTTING_DOWN);
  }

  /** The connection is gone; unless the session had already ended, the client left it. */
  void closed() {
    if (ending == null) {
      ending = SessionEnd.CLIENT_CLOSED;
    }
  }

  boolean isOver() {
    return ending != null;
  }

  /** How the session ended, or null while it goes on. */
  SessionEnd ending() {
    return ending;
  }

  String helo() {
    return helo;
  }

  String sender() {
    return sender;
  }

  List<String> recipients() {
    return recipients;
  }

  long bytes() {
    return bytes;
  }

  int commands() {
    return commands;
  }

  private void answer(Reply reply, StringBuilder out) {
    reply.render(out);
    if (reply.isPermanentError() && ++errors >= settings.maxErrors() && ending == null) {
      end(SessionEnd.PROTOCOL_ERROR, Reply.TOO_MANY_ERRORS).render(out);
    }
  }

  private Reply command(String line) {
    commands++;
    int space = line.indexOf(' ');
    Command command = Command.ofVerb(space < 0 ? line : line.substring(0, space));
    if (command == null) {
      return HTTP_REQUEST.matcher(line).matches() ? end(SessionEnd.PROTOCOL_ERROR, Reply.NOT_SMTP) : Reply.UNRECOGNIZED;
    }
    String argument = space < 0 ? "" : line.substring(space + 1).trim();
    return switch (command) {
      case HELO -> hello(argument, settings.heloReply(), Reply.HELO_SYNTAX);
      case EHLO -> hello(argument, settings.ehloReply(), Reply.EHLO_SYNTAX);
      case MAIL -> mail(argument);
      case RCPT -> rcpt(argument);
      case DATA -> data();
      case RSET -> {
        resetTransaction();
        yield Reply.OK;
      }
      case NOOP -> Reply.OK;
      case VRFY -> Reply.CANNOT_VRFY;
      case QUIT -> end(SessionEnd.QUIT, Reply.BYE);
      case EXPN, HELP, ETRN, STARTTLS, AUTH, BDAT, TURN -> Reply.NOT_IMPLEMENTED;
    };
  }

  private Reply hello(String name, Reply reply, Reply syntax) {
    if (name.isEmpty()) {
      return syntax;
    }
    helo = StoredText.of(name);
    resetTransaction();
    return reply;
  }

  private Reply mail(String argument) {
    if (helo == null) {
      return Reply.HELO_FIRST;
    }
    if (mailGiven) {
      return Reply.NESTED_MAIL;
    }
    String address = path(argument, "FROM:");
    if (address == null) {
      return Reply.MAIL_SYNTAX;
    }
    sender = StoredText.of(address);
    mailGiven = true;
    return Reply.SENDER_OK;
  }

  private Reply rcpt(String argument) {
    if (!mailGiven) {
      return Reply.MAIL_FIRST;
    }
    String address = path(argument, "TO:");
    if (address == null || address.isEmpty()) {
      return Reply.RCPT_SYNTAX;
    }
    if (recipients.size() >= settings.maxRecipients()) {
      return Reply.TOO_MANY_RECIPIENTS;
    }
    String recipient = StoredText.of(address);
    if (recipients.isEmpty()) {
      recipients = new ArrayList<>(4);
    }
    recipients.add(recipient);
    recipientGiven = true;
    String domain = domainOf(recipient);
    if (!domain.isEmpty()) {
      recipientDomains.accept(domain);
    }
    return Reply.RECIPIENT_OK;
  }

  private Reply data() {
    if (!mailGiven) {
      return Reply.MAIL_FIRST;
    }
    if (!recipientGiven) {
      return Reply.RCPT_FIRST;
    }
    resetTransaction();
    return Reply.TRY_AGAIN_LATER;
  }

  private void resetTransaction() {
    mailGiven = false;
    recipientGiven = false;
  }

  private Reply end(SessionEnd how, Reply reply) {
    ending = how;
    return reply;
  }

  private String endWith(SessionEnd how, Reply reply) {
    return ending != null ? "" : end(how, reply).toString();
  }

  /**
   * The address in {@code FROM:<address> parameters} (or {@code TO:}): within angle brackets,
   * or bare up to the first space as lenient servers take it; null if the form is wrong.
   */
  static String path(String argument, String keyword) {
    if (!argument.regionMatches(true, 0, keyword, 0, keyword.length())) {
      return null;
    }
    String rest = argument.substring(keyword.length()).stripLeading();
    if (rest.startsWith("<")) {
      int close = rest.indexOf('>');
      return close < 0 ? null : rest.substring(1, close);
    }
    int space = rest.indexOf(' ');
    String bare = space < 0 ? rest : rest.substring(0, space);
    return bare.isEmpty() ? null : bare;
  }

  /** The domain of an address, lower case, without a trailing dot; empty if it has none. */
  static String domainOf(String address) {
    int at = address.lastIndexOf('@');
    if (at < 0) {
      return "";
    }
    String domain = address.substring(at + 1).toLowerCase(Locale.ROOT);
    return domain.endsWith(".") ? domain.substring(0, domain.length() - 1) : domain;
  }
}
