/**
 * The demo's device simulator: HTTP devices post readings to the HTTP source's webhook and retry what was not
 * acknowledged (honouring Retry-After); MQTT devices publish readings at QoS 1. Prints what was sent and
 * acknowledged every 5 s. Stops on SIGINT/SIGTERM.
 *
 *   node scripts/demo/dist/devices.js --http http://127.0.0.1:8090/readings --mqtt mqtt://127.0.0.1:1883 --devices 6 --rate 5
 */
import mqtt from 'mqtt';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : dflt;
};
const httpUrl = arg('http', 'http://127.0.0.1:8090/readings');
const mqttUrl = arg('mqtt', 'mqtt://127.0.0.1:1883');
const devices = Number(arg('devices', '6'));
const ratePerDevice = Number(arg('rate', '2'));
const token = arg('token', process.env.DEMO_DEVICE_TOKEN ?? 'demo-device-token');

const stats = { httpSent: 0, httpAcked: 0, httpRetries: 0, mqttSent: 0, mqttAcked: 0 };
let running = true;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function reading(device: string, seq: number) {
  const ts = Date.now();
  return {
    device,
    day: new Date(ts).toISOString().slice(0, 10),
    ts,
    seq,
    temperature: Math.round((18 + Math.random() * 8) * 100) / 100,
    humidity: Math.round((35 + Math.random() * 20) * 100) / 100,
  };
}

async function httpDevice(id: string): Promise<void> {
  for (let seq = 0; running; seq++) {
    const body = JSON.stringify(reading(id, seq));
    stats.httpSent++;
    // Retry until the source acknowledged: its 2xx means Kafka has the reading.
    for (let attempt = 0; running; attempt++) {
      try {
        const res = await fetch(httpUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'idempotency-key': `${id}-${seq}` },
          body,
        });
        await res.arrayBuffer();
        if (res.ok) {
          stats.httpAcked++;
          break;
        }
        stats.httpRetries++;
        await sleep(Number(res.headers.get('retry-after') ?? 1) * 1000);
      } catch {
        stats.httpRetries++;
        await sleep(Math.min(5000, 250 * 2 ** attempt));
      }
    }
    await sleep(1000 / ratePerDevice);
  }
}

function mqttDevice(id: string): Promise<void> {
  const client = mqtt.connect(mqttUrl, { clientId: `demo-${id}`, clean: false, reconnectPeriod: 1000 });
  return new Promise((resolve) => {
    let seq = 0;
    const timer = setInterval(() => {
      if (!running) {
        clearInterval(timer);
        client.end(false, {}, () => resolve());
        return;
      }
      stats.mqttSent++;
      client.publish(`devices/${id}/telemetry`, JSON.stringify(reading(id, seq++)), { qos: 1 }, (err) => {
        if (!err) stats.mqttAcked++;
      });
    }, 1000 / ratePerDevice);
  });
}

async function main(): Promise<void> {
  const half = Math.max(1, Math.floor(devices / 2));
  const all = [
    ...Array.from({ length: half }, (_, i) => httpDevice(`http-sensor-${i}`)),
    ...Array.from({ length: devices - half }, (_, i) => mqttDevice(`mqtt-sensor-${i}`)),
  ];
  const report = setInterval(() => {
    process.stdout.write(
      `[devices] http sent ${stats.httpSent} acked ${stats.httpAcked} retries ${stats.httpRetries} | mqtt sent ${stats.mqttSent} acked ${stats.mqttAcked}\n`,
    );
  }, 5000);
  const stop = () => {
    running = false;
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  await Promise.all(all);
  clearInterval(report);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
