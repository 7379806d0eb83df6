// MqttSink against a real Mosquitto 2 (spawned; CI installs the package).
// Own broker, not MASKINPORT_TEST_MQTT_URL: the suite restarts it.
import { startMosquitto } from "../support/mosquitto.ts";
import { mqttSinkContract } from "./helpers/mqtt-sink-contract.ts";

mqttSinkContract("Mosquitto", () => startMosquitto({ own: true }));
