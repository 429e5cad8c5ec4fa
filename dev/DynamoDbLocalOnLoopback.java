import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import java.lang.reflect.Field;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * DynamoDB Local (the AWS jar) bound to 127.0.0.1 only: its own main listens on every interface and
 * has no host option, so this builds the server from DynamoDB Local's own arguments, moves its one
 * Jetty connector to loopback before it starts, and prints `{"port":N}` once it accepts connections.
 * It exits when its standard input closes, so it never outlives the process that started it
 * (dev/external-emulators.ts).
 */
public class DynamoDbLocalOnLoopback {
  public static void main(String[] args) throws Exception {
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
    Field field = DynamoDBProxyServer.class.getDeclaredField("server");
    field.setAccessible(true);
    Connector[] connectors = ((Server) field.get(proxy)).getConnectors();
    if (connectors.length != 1) throw new IllegalStateException("expected one connector");
    ServerConnector connector = (ServerConnector) connectors[0];
    connector.setHost("127.0.0.1");
    proxy.start();
    System.out.println("{\"port\":" + connector.getLocalPort() + "}");
    while (System.in.read() != -1) {
      // Nothing is sent; end of input means the parent is gone.
    }
    proxy.stop();
    System.exit(0);
  }
}
