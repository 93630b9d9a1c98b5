package io.hunnypot.launcher;

import io.hunnypot.config.HunnypotConfig;
import io.hunnypot.contract.Addresses;
import io.hunnypot.contract.Classification;
import io.hunnypot.contract.ClassifyRequest;
import io.hunnypot.mxmonitor.MxMonitorVerticle;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.util.NetUtil;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * {@code hunnypot check-domain DOMAIN [--as ADDRESS]}: how a delivery to DOMAIN would be
 * classified right now, and why, so that an operator can check a deployment's DNS before
 * trusting its list. It runs the MX monitor itself, with this node's configuration.
 */
@Command(name = "check-domain", mixinStandardHelpOptions = true,
    description = "Shows how a delivery to DOMAIN through this honeypot would be classified right now, and why.")
final class CheckDomain implements Callable<Integer> {

  @ParentCommand
  Hunnypot parent;

  @Spec
  CommandSpec spec;

  @Parameters(paramLabel = "DOMAIN", description = "The recipient domain.")
  String domain;

  @Option(names = "--as", paramLabel = "ADDRESS", split = ",",
      description = "The honeypot's address as senders reach it (repeatable; default: identity.addresses, "
          + "else every address of this machine).")
  List<String> as = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    HunnypotConfig config = parent.config();
    List<String> identity = !as.isEmpty() ? as
        : !config.identity().addresses().isEmpty() ? config.identity().addresses() : machineAddresses();
    // The monitor always answers, unknown at worst: this bound is only against a bug.
    long bound = 4L * config.dns().timeoutMillis() + TimeUnit.SECONDS.toMillis(config.mx().probeTimeoutSeconds() + 5);
    Vertx vertx = Vertx.vertx();
    try {
      Classification classification = vertx.deployVerticle(new MxMonitorVerticle(config, new SimpleMeterRegistry()))
          .compose(deployed -> vertx.eventBus().<JsonObject>request(Addresses.MX_CLASSIFY,
              new ClassifyRequest(domain, identity).toJson(), new DeliveryOptions().setSendTimeout(bound)))
          .map(reply -> Classification.fromJson(reply.body()))
          .await(bound + 1_000, TimeUnit.MILLISECONDS);
      report(spec.commandLine().getOut(), classification, config);
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
    return 0;
  }

  private static void report(PrintWriter out, Classification classification, HunnypotConfig config) {
    JsonObject evidence = classification.evidence();
    boolean listed = config.listing().listedClasses().contains(classification.sightingClass());
    out.printf("domain:   %s%n", evidence.getString("domain"));
    out.printf("as:       %s%n", strings(evidence.getJsonArray("identity")));
    out.printf("class:    %s (%s)%n", classification.sightingClass(), listed ? "listed" : "not listed");
    out.printf("why:      %s%n", evidence.getString("rule"));
    JsonArray mx = evidence.getJsonArray("mx");
    if (mx != null) {
      out.println("MX set, by preference:");
      objects(mx).forEach(m -> out.printf("  %5d  %-32s %s%s%n", m.getInteger("preference"), m.getString("host"),
          strings(m.getJsonArray("addresses")), m.getBoolean("ours") ? "  ours" : ""));
    }
    for (String key : List.of("implicitMx", "domainAddresses")) {
      JsonObject addresses = evidence.getJsonObject(key);
      if (addresses != null) {
        out.printf("%s: %s%s%n", key.equals("implicitMx") ? "implicit MX (no MX records)" : "the domain's A/AAAA",
            strings(addresses.getJsonArray("addresses")), addresses.getBoolean("ours") ? "  ours" : "  not ours");
      }
    }
    JsonArray probes = evidence.getJsonArray("probes");
    if (probes != null) {
      out.printf("probes of the more-preferred MXs, port %d:%n", config.mx().probePort());
      objects(probes).forEach(p -> out.printf("  %-32s %-10s %s  (%s)%n", p.getString("host"), p.getString("result"),
          objects(p.getJsonArray("answers")).map(a -> a.getString("address") + ": " + a.getString("answer"))
              .collect(Collectors.joining("; ")),
          p.getBoolean("cached") ? "from cache" : "probed now"));
    }
    JsonArray lookups = evidence.getJsonArray("lookups");
    if (lookups != null) {
      out.println("DNS:");
      objects(lookups).forEach(l -> out.printf("  %-32s %-5s %s  (%s)%n", l.getString("name"), l.getString("type"),
          l.getString("answer"), l.getBoolean("cached") ? "from cache" : "asked now"));
    }
    out.flush();
  }

  /** Every address of this machine's interfaces, when nothing says which of them senders reach. */
  private static List<String> machineAddresses() throws SocketException {
    return NetworkInterface.networkInterfaces().flatMap(NetworkInterface::inetAddresses)
        .filter(address -> !address.isLinkLocalAddress()).map(NetUtil::toAddressString).toList();
  }

  private static Stream<JsonObject> objects(JsonArray array) {
    return array.stream().map(JsonObject.class::cast);
  }

  private static String strings(JsonArray array) {
    return array.isEmpty() ? "none" : array.stream().map(String::valueOf).collect(Collectors.joining(", "));
  }
}
