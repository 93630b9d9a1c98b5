package io.hunnypot.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.hazelcast.config.Config;
import com.hazelcast.config.MultiMapConfig;
import io.hunnypot.config.ConfigLoader;
import io.hunnypot.config.HunnypotConfig;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What can be checked of deploy/ without machines: the configurations load, the Hazelcast
 * files make a member Vert.x can use, the Kubernetes manifests are YAML with what they need
 * and refer to each other rightly, the units and the image run the jar the right way.
 */
class DeployFilesTest {

  private static final Path DEPLOY = Path.of("..", "deploy");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private static HunnypotConfig load(Path file, String... environment) {
    Map<String, String> variables = new HashMap<>();
    for (int i = 0; i < environment.length; i += 2) {
      variables.put(environment[i], environment[i + 1]);
    }
    return ConfigLoader.load(Optional.of(file), variables);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"hunnypot.yaml", "cluster/listener.yaml", "cluster/recorder.yaml", "cluster/api.yaml",
      "kubernetes/hunnypot.yaml"})
  @DisplayName("every example configuration loads without a complaint")
  void configurationsLoad(String file) {
    HunnypotConfig config = load(DEPLOY.resolve(file));
    assertThat(config.node()).isNotNull();
  }

  @Test
  @DisplayName("the cluster examples agree: one cluster name, each member's address in every member list, distinct event-bus ports per machine")
  void clusterExamplesAgree() {
    List<HunnypotConfig.Cluster> clusters = List.of("listener", "recorder", "api").stream()
        .map(role -> load(DEPLOY.resolve("cluster/" + role + ".yaml")).cluster()).toList();
    assertThat(clusters).extracting(HunnypotConfig.Cluster::name).containsOnly("hunnypot");
    for (HunnypotConfig.Cluster cluster : clusters) {
      assertThat(clusters).allSatisfy(other -> assertThat(other.members()).contains(cluster.host()));
    }
    assertThat(clusters.get(1).host()).as("recorder and API share the central machine").isEqualTo(clusters.get(2).host());
    assertThat(clusters.get(1).eventBusPort()).isNotEqualTo(clusters.get(2).eventBusPort());
  }

  @Test
  @DisplayName("the static Hazelcast file makes a TCP-IP member, multicast off, with the set Vert.x needs for its subscriptions")
  void staticHazelcast() {
    Config config = Clustering.hazelcast(load(DEPLOY.resolve("cluster/listener.yaml"),
        "HUNNYPOT_CLUSTER_HAZELCAST_CONFIG", DEPLOY.resolve("hazelcast/static.yaml").toString()).cluster());
    var join = config.getNetworkConfig().getJoin();
    join.verify();
    assertThat(config.getClusterName()).isEqualTo("hunnypot");
    assertThat(join.getTcpIpConfig().isEnabled()).isTrue();
    assertThat(join.getTcpIpConfig().getMembers()).hasSize(3).allMatch(member -> !member.contains("-"));
    assertThat(join.getMulticastConfig().isEnabled()).isFalse();
    assertThat(join.getAutoDetectionConfig().isEnabled()).isFalse();
    assertThat(config.getNetworkConfig().getInterfaces().isEnabled()).isTrue();
    assertVertxStructures(config);
  }

  @Test
  @DisplayName("the Kubernetes Hazelcast file discovers members through the DNS of the headless service the manifests define")
  void kubernetesHazelcast() throws IOException {
    Config config = Clustering.hazelcast(load(DEPLOY.resolve("kubernetes/hunnypot.yaml"),
        "HUNNYPOT_CLUSTER_HAZELCAST_CONFIG", DEPLOY.resolve("kubernetes/hazelcast.yaml").toString()).cluster());
    var join = config.getNetworkConfig().getJoin();
    join.verify();
    assertThat(join.getKubernetesConfig().isEnabled()).isTrue();
    assertThat(join.getTcpIpConfig().isEnabled()).isFalse();
    assertThat(join.getMulticastConfig().isEnabled()).isFalse();
    String serviceDns = join.getKubernetesConfig().getProperty("service-dns");
    JsonNode service = manifests().stream().filter(m -> m.path("kind").asText().equals("Service")
        && m.at("/spec/clusterIP").asText().equals("None")).findFirst().orElseThrow();
    assertThat(serviceDns).startsWith(service.at("/metadata/name").asText() + ".hunnypot.svc.");
    assertThat(service.at("/spec/publishNotReadyAddresses").asBoolean()).as("members find each other before they are ready").isTrue();
    assertVertxStructures(config);
  }

  private static void assertVertxStructures(Config config) {
    assertThat(config.getMultiMapConfig("__vertx.subs").getValueCollectionType()).isEqualTo(MultiMapConfig.ValueCollectionType.SET);
    assertThat(config.getMapConfigs()).containsKeys("__vertx.haInfo", "__vertx.nodeInfo");
  }

  @Test
  @DisplayName("every Kubernetes manifest is YAML with an apiVersion, a kind and a name; the kustomization's files exist")
  void manifestsAreWellFormed() throws IOException {
    JsonNode kustomization = YAML.readTree(DEPLOY.resolve("kubernetes/kustomization.yaml").toFile());
    assertThat(kustomization.path("namespace").asText()).isEqualTo("hunnypot");
    for (JsonNode file : kustomization.at("/configMapGenerator/0/files")) {
      assertThat(DEPLOY.resolve("kubernetes").resolve(file.asText())).isRegularFile();
    }
    List<JsonNode> manifests = manifests();
    assertThat(manifests).isNotEmpty().allSatisfy(manifest -> {
      assertThat(manifest.path("apiVersion").asText()).isNotBlank();
      assertThat(manifest.path("kind").asText()).isNotBlank();
      assertThat(manifest.at("/metadata/name").asText()).isNotBlank();
    });
    assertThat(manifests).extracting(m -> m.path("kind").asText() + "/" + m.at("/metadata/name").asText())
        .contains("StatefulSet/hunnypot-listener", "Deployment/hunnypot-recorder", "Deployment/hunnypot-api",
            "Service/hunnypot-cluster", "Service/hunnypot-smtp", "Service/hunnypot-api", "Service/hunnypot-dnsbl");
  }

  @ParameterizedTest(name = "{0} runs --cluster --roles {1}")
  @CsvSource({"hunnypot-listener, listener", "hunnypot-recorder, 'recorder,mx-monitor'", "hunnypot-api, api"})
  @DisplayName("each workload runs its roles in the cluster as a non-root user, with its config, its address and probes on its own /ready")
  void workloads(String name, String roles) throws IOException {
    JsonNode workload = manifests().stream().filter(m -> m.at("/metadata/name").asText().equals(name)
        && m.at("/spec/template").isObject()).findFirst().orElseThrow();
    assertThat(workload.at("/spec/selector/matchLabels").properties())
        .allSatisfy(label -> assertThat(workload.at("/spec/template/metadata/labels").get(label.getKey())).isEqualTo(label.getValue()));
    assertThat(workload.at("/spec/template/metadata/labels/app.kubernetes.io~1part-of").asText())
        .as("in the headless service of the cluster").isEqualTo("hunnypot");
    JsonNode pod = workload.at("/spec/template/spec");
    JsonNode container = pod.at("/containers/0");
    assertThat(texts(container.path("args"))).containsSequence("--cluster", "--roles", roles);
    assertThat(texts(container.path("args"))).contains("--config", "/etc/hunnypot/hunnypot.yaml");
    assertThat(container.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/ready");
    assertThat(container.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/health");
    assertThat(pod.at("/securityContext/runAsNonRoot").asBoolean()).isTrue();
    assertThat(texts(container.path("env"), "name")).contains("HUNNYPOT_NODE_NAME", "HUNNYPOT_CLUSTER_HOST");
    assertThat(texts(container.path("ports"), "name")).contains("http", "hazelcast", "event-bus");
    assertThat(pod.at("/volumes").findValuesAsText("name")).contains("hunnypot-config");
    if (roles.contains("recorder") || roles.contains("api")) {
      assertThat(container.path("env").findValues("secretKeyRef")).extracting(ref -> ref.path("name").asText()).contains("hunnypot-db");
    }
  }

  @Test
  @DisplayName("every Service selects pods of a workload, on ports those pods name; the SMTP service keeps the clients' addresses")
  void servicesSelectWorkloads() throws IOException {
    List<JsonNode> manifests = manifests();
    List<JsonNode> pods = manifests.stream().filter(m -> m.at("/spec/template").isObject()).map(m -> m.at("/spec/template")).toList();
    for (JsonNode service : manifests.stream().filter(m -> m.path("kind").asText().equals("Service")).toList()) {
      List<JsonNode> selected = pods.stream().filter(pod -> service.at("/spec/selector").properties().stream()
          .allMatch(label -> label.getValue().equals(pod.at("/metadata/labels").get(label.getKey())))).toList();
      assertThat(selected).as(service.at("/metadata/name").asText() + " selects pods").isNotEmpty();
      Set<String> portNames = new HashSet<>();
      selected.forEach(pod -> portNames.addAll(texts(pod.at("/spec/containers/0/ports"), "name")));
      assertThat(portNames).as(service.at("/metadata/name").asText() + "'s target ports")
          .containsAll(texts(service.at("/spec/ports"), "targetPort"));
    }
    JsonNode smtp = manifests.stream().filter(m -> m.at("/metadata/name").asText().equals("hunnypot-smtp")).findFirst().orElseThrow();
    assertThat(smtp.at("/spec/externalTrafficPolicy").asText()).isEqualTo("Local");
    assertThat(smtp.at("/spec/ports/0/port").asInt()).isEqualTo(25);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"hunnypot-listener.service, listener, true", "hunnypot-recorder.service, 'recorder,mx-monitor', false",
      "hunnypot-api.service, api, true"})
  @DisplayName("each systemd unit runs its roles in the cluster as the user hunnypot, with CAP_NET_BIND_SERVICE only where a low port needs it")
  void systemdUnits(String unit, String roles, boolean lowPort) throws IOException {
    Map<String, String> service = section(Files.readString(DEPLOY.resolve("systemd").resolve(unit)), "Service");
    assertThat(service.get("ExecStart")).contains("-jar /opt/hunnypot/hunnypot.jar --cluster --roles " + roles + " --config ");
    assertThat(service.get("User")).isEqualTo("hunnypot");
    assertThat(service.get("NoNewPrivileges")).isEqualTo("true");
    if (lowPort) {
      assertThat(service.get("AmbientCapabilities")).isEqualTo("CAP_NET_BIND_SERVICE");
      assertThat(service.get("CapabilityBoundingSet")).isEqualTo("CAP_NET_BIND_SERVICE");
    } else {
      assertThat(service).doesNotContainKey("AmbientCapabilities");
      assertThat(service.get("CapabilityBoundingSet")).isEmpty();
    }
  }

  @Test
  @DisplayName("the Containerfile builds every module of the reactor and runs the jar as an unprivileged user")
  void containerfile() throws IOException {
    String containerfile = Files.readString(DEPLOY.resolve("Containerfile"));
    Matcher module = Pattern.compile("<module>([^<]+)</module>").matcher(Files.readString(Path.of("..", "pom.xml")));
    List<String> modules = new ArrayList<>();
    while (module.find()) {
      modules.add(module.group(1));
    }
    assertThat(modules).isNotEmpty().allSatisfy(name -> assertThat(containerfile)
        .contains("COPY " + name + "/pom.xml " + name + "/").contains("COPY " + name + "/src " + name + "/src"));
    assertThat(containerfile).containsPattern("(?m)^USER 10001$")
        .contains("ENTRYPOINT [\"java\", \"-jar\", \"/opt/hunnypot/hunnypot.jar\"]");
  }

  /** Every document of every manifest the kustomization lists. */
  private static List<JsonNode> manifests() throws IOException {
    List<JsonNode> documents = new ArrayList<>();
    for (JsonNode resource : YAML.readTree(DEPLOY.resolve("kubernetes/kustomization.yaml").toFile()).path("resources")) {
      try (var parser = YAML.getFactory().createParser(DEPLOY.resolve("kubernetes").resolve(resource.asText()).toFile())) {
        YAML.readValues(parser, JsonNode.class).forEachRemaining(documents::add);
      }
    }
    return documents;
  }

  private static List<String> texts(JsonNode array, String field) {
    return StreamSupport.stream(array.spliterator(), false).map(node -> node.path(field).asText()).toList();
  }

  private static List<String> texts(JsonNode array) {
    return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
  }

  /** The keys of one [section] of a systemd unit (the last value of a key repeated). */
  private static Map<String, String> section(String unit, String name) {
    Map<String, String> keys = new HashMap<>();
    boolean inside = false;
    for (String line : unit.split("\n")) {
      if (line.startsWith("[")) {
        inside = line.equals("[" + name + "]");
      } else if (inside && line.contains("=") && !line.startsWith("#")) {
        keys.put(line.substring(0, line.indexOf('=')).trim(), line.substring(line.indexOf('=') + 1).trim());
      }
    }
    return keys;
  }
}
