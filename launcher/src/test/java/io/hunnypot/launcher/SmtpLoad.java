package io.hunnypot.launcher;

import io.hunnypot.testsupport.SmtpClient;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A steady SMTP load on listeners: a few clients that keep running whole sessions (HELO,
 * MAIL, RCPT to a trap domain, DATA, QUIT), each with a HELO name of its own, and note which
 * sessions the server completed with 221, and which connections it refused with 421.
 */
final class SmtpLoad implements AutoCloseable {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final List<Integer> ports;
  private final int clientCount;
  private final ExecutorService clients;
  private final AtomicInteger active = new AtomicInteger();
  private final AtomicLong next = new AtomicLong();
  private final Set<String> completed = ConcurrentHashMap.newKeySet();
  private final AtomicInteger refused = new AtomicInteger();
  private volatile boolean running;

  SmtpLoad(List<Integer> ports, int clients) {
    this.ports = ports;
    this.clientCount = clients;
    this.clients = Executors.newFixedThreadPool(clients);
  }

  /** Starts the clients; they run until {@link #pause()}. */
  void run() {
    running = true;
    for (int i = 0; i < clientCount; i++) {
      active.incrementAndGet();
      clients.execute(this::loop);
    }
  }

  /** Stops the clients once their current session is over. */
  void pause() throws InterruptedException {
    running = false;
    long deadline = System.nanoTime() + TIMEOUT.multipliedBy(2).toNanos();
    while (active.get() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
  }

  private void loop() {
    try {
      while (running) {
        long n = next.incrementAndGet();
        session("load-" + n + ".example", ports.get((int) (n % ports.size())));
        Thread.sleep(2);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      active.decrementAndGet();
    }
  }

  private void session(String helo, int port) {
    try (SmtpClient smtp = SmtpClient.connect("127.0.0.1", port, TIMEOUT)) {
      if (smtp.readReply().code() == 421) {
        refused.incrementAndGet();
      } else {
        smtp.command("HELO " + helo);
        smtp.command("MAIL FROM:<sender@load.example>");
        smtp.command("RCPT TO:<victim@trap.example>");
        smtp.command("DATA");
        if (smtp.command("QUIT").code() == 221) {
          completed.add(helo);
        }
      }
      // the server closes first, so that TIME_WAIT stays on its port, not on thousands of this machine's
      // ephemeral ports, where it would keep later tests from binding them
      smtp.isClosedByServer();
    } catch (IOException e) {
      // a listener restarting: no session, or one the client did not see through; not counted as completed
    }
  }

  /** HELO names of the sessions completed so far. */
  Set<String> completed() {
    return Set.copyOf(completed);
  }

  int refused() {
    return refused.get();
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    clients.shutdown();
    clients.awaitTermination(30, TimeUnit.SECONDS);
  }
}
