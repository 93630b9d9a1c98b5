package io.hunnypot.launcher;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MultiMapConfig;
import com.hazelcast.config.NetworkConfig;
import io.hunnypot.config.ConfigException;
import io.hunnypot.config.HunnypotConfig;
import io.vertx.core.eventbus.EventBusOptions;

import java.io.File;
import java.io.FileNotFoundException;

/**
 * How a node started with {@code --cluster} joins the others: a Hazelcast member configured
 * from the {@code cluster.*} keys (TCP-IP members, multicast and auto-detection off, bound to
 * {@code cluster.host} only), or read from the file {@code cluster.hazelcastConfig} (for
 * Kubernetes discovery, say); and the event bus on {@code cluster.host}.
 */
final class Clustering {

  /** Vert.x keeps its event-bus subscriptions and node records in these; a set, so that a subscription counts once. */
  private static final String SUBSCRIPTIONS = "__vertx.subs";
  private static final String[] NODE_MAPS = {"__vertx.haInfo", "__vertx.nodeInfo"};

  private Clustering() {
  }

  static Config hazelcast(HunnypotConfig.Cluster cluster) {
    // Hazelcast logs its first words before it reads its configuration: through SLF4J from the start
    System.setProperty("hazelcast.logging.type", "slf4j");
    Config config = cluster.hazelcastConfig().isBlank() ? fromKeys(cluster) : fromFile(cluster.hazelcastConfig());
    if (!config.getMultiMapConfigs().containsKey(SUBSCRIPTIONS)) {
      config.addMultiMapConfig(new MultiMapConfig(SUBSCRIPTIONS).setBackupCount(1)
          .setValueCollectionType(MultiMapConfig.ValueCollectionType.SET));
    }
    for (String map : NODE_MAPS) {
      if (!config.getMapConfigs().containsKey(map)) {
        config.addMapConfig(new MapConfig(map).setBackupCount(1));
      }
    }
    return config
        // the node leaves the cluster when it has stopped its listener, not before: no hook of Hazelcast's own
        .setProperty("hazelcast.shutdownhook.enabled", "false")
        .setProperty("hazelcast.phone.home.enabled", "false");
  }

  private static Config fromKeys(HunnypotConfig.Cluster cluster) {
    Config config = new Config().setClusterName(cluster.name())
        // a node that finds no member at once starts a cluster of its own; the others join it as they come
        .setProperty("hazelcast.wait.seconds.before.join", "0")
        .setProperty("hazelcast.socket.bind.any", "false");
    NetworkConfig network = config.getNetworkConfig().setPort(cluster.port()).setPortAutoIncrement(true);
    if (!cluster.publicHost().isBlank()) {
      network.setPublicAddress(cluster.publicHost());
    }
    network.getInterfaces().setEnabled(true).addInterface(cluster.host());
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(cluster.members());
    return config;
  }

  private static Config fromFile(String path) {
    try {
      return Config.loadFromFile(new File(path));
    } catch (FileNotFoundException e) {
      throw ConfigException.badValue("cluster.hazelcastConfig", path, "a readable Hazelcast XML or YAML file");
    } catch (RuntimeException e) {
      throw new ConfigException("configuration key cluster.hazelcastConfig: " + path + " is not a Hazelcast configuration: "
          + e.getMessage());
    }
  }

  /** The event bus on {@code cluster.host}, reached by the others at {@code cluster.publicHost} when set. */
  static EventBusOptions eventBus(HunnypotConfig.Cluster cluster) {
    return new EventBusOptions()
        .setHost(cluster.host())
        .setPort(cluster.eventBusPort())
        .setClusterPublicHost(cluster.resolvedPublicHost());
  }
}
