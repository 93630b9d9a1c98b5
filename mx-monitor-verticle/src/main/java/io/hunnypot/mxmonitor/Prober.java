package io.hunnypot.mxmonitor;

import io.hunnypot.config.HunnypotConfig;
import io.netty.channel.ConnectTimeoutException;
import io.netty.util.NetUtil;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import org.xbill.DNS.Name;

import java.net.ConnectException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Tells whether a primary MX is live: a TCP connection to its SMTP port and a {@code 220}
 * greeting within the timeout, on any of its addresses. The answer is trusted per MX host for
 * {@code mx.cacheSeconds}, and a probe in flight is shared by everyone who asks meanwhile.
 */
final class Prober {

  /** The longest greeting line read; a real one is far shorter. */
  private static final int MAX_GREETING = 512;
  private static final Buffer QUIT = Buffer.buffer("QUIT\r\n");

  /** One address tried: {@code result} is {@code live} or why not, {@code answer} what it said or what went wrong. */
  record Attempt(InetAddress address, String result, String answer) {
    boolean live() {
      return result.equals("live");
    }

    JsonObject toJson() {
      return new JsonObject().put("address", NetUtil.toAddressString(address)).put("answer", answer);
    }
  }

  /** A primary MX host probed at one moment, on each of its addresses. */
  record Probe(Name host, List<Attempt> attempts) {
    boolean live() {
      return attempts.stream().anyMatch(Attempt::live);
    }

    /** {@code live}, or why the first address was not ({@code refused}, {@code timeout}, ...). */
    String result() {
      return live() ? "live" : attempts.isEmpty() ? "no-address" : attempts.get(0).result();
    }

    JsonObject toJson(boolean cached) {
      return new JsonObject().put("host", host.toString(true)).put("live", live()).put("result", result())
          .put("answers", new JsonArray(attempts.stream().map(Attempt::toJson).toList())).put("cached", cached);
    }
  }

  /** A probe's answer as the asker gets it: {@code cached} when it was there before the asking. */
  record Outcome(Probe probe, boolean cached) {
  }

  private static final class ClosedWithoutGreeting extends RuntimeException {
    ClosedWithoutGreeting() {
      super(null, null, false, false);
    }
  }

  private static final class Entry {
    final Future<Probe> probe;
    long expiresAt = Long.MAX_VALUE; // set once the probe is over

    Entry(Future<Probe> probe) {
      this.probe = probe;
    }
  }

  private final NetClient client;
  private final int port;
  private final long timeoutMillis;
  private final long cacheNanos;
  private final MxMetrics metrics;
  private final Map<Name, Entry> byHost = new HashMap<>();

  Prober(Vertx vertx, HunnypotConfig.Mx mx, MxMetrics metrics) {
    this.timeoutMillis = TimeUnit.SECONDS.toMillis(mx.probeTimeoutSeconds());
    this.client = vertx.createNetClient(new NetClientOptions().setConnectTimeout((int) timeoutMillis));
    this.port = mx.probePort();
    this.cacheNanos = TimeUnit.SECONDS.toNanos(mx.cacheSeconds());
    this.metrics = metrics;
  }

  /** Whether the host is live: from the cache while its last answer is fresh, else probed now. */
  Future<Outcome> probe(Name host, List<InetAddress> addresses) {
    Entry entry = byHost.get(host);
    if (entry != null && System.nanoTime() - entry.expiresAt < 0) {
      boolean cached = entry.probe.isComplete();
      if (cached) {
        metrics.probeCacheHit();
      }
      return entry.probe.map(probe -> new Outcome(probe, cached));
    }
    Entry fresh = new Entry(Future.all(addresses.stream().map(this::attempt).toList())
        .map(all -> new Probe(host, all.<Attempt>list())));
    byHost.put(host, fresh);
    return fresh.probe.onSuccess(probe -> {
      fresh.expiresAt = System.nanoTime() + cacheNanos;
      metrics.probe(probe.result());
    }).map(probe -> new Outcome(probe, false));
  }

  /** Forgets answers past their time, so that the cache holds only the hosts seen lately. */
  void expire() {
    long now = System.nanoTime();
    byHost.values().removeIf(entry -> now - entry.expiresAt >= 0);
  }

  Future<Void> close() {
    return client.close();
  }

  private Future<Attempt> attempt(InetAddress address) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    return client.connect(SocketAddress.inetSocketAddress(port, NetUtil.toAddressString(address)))
        .compose(socket -> greeting(socket, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()))
            .eventually(() -> socket.end(QUIT)))
        .map(line -> new Attempt(address, line.startsWith("220") ? "live" : "rejected", line))
        .otherwise(error -> failed(address, error));
  }

  /** The server's first line, as soon as it is complete. */
  private static Future<String> greeting(NetSocket socket, long millis) {
    Promise<String> line = Promise.promise();
    Buffer received = Buffer.buffer();
    socket.handler(data -> {
      received.appendBuffer(data);
      String text = received.toString(StandardCharsets.US_ASCII);
      int end = text.indexOf('\n');
      if (end >= 0 || text.length() >= MAX_GREETING) {
        line.tryComplete(text.substring(0, end >= 0 ? end : MAX_GREETING).strip());
      }
    });
    socket.closeHandler(v -> line.tryFail(new ClosedWithoutGreeting()));
    socket.exceptionHandler(line::tryFail);
    return line.future().timeout(Math.max(1, millis), TimeUnit.MILLISECONDS);
  }

  private Attempt failed(InetAddress address, Throwable error) {
    if (error instanceof ConnectTimeoutException) {
      return new Attempt(address, "timeout", "no connection within " + timeoutMillis + " ms");
    }
    if (error instanceof TimeoutException) {
      return new Attempt(address, "timeout", "no greeting within " + timeoutMillis + " ms");
    }
    if (error instanceof ClosedWithoutGreeting) {
      return new Attempt(address, "closed", "closed without a greeting");
    }
    if (error instanceof ConnectException) {
      return new Attempt(address, "refused", "connection refused");
    }
    return new Attempt(address, "error", String.valueOf(error.getMessage()));
  }
}
