// The RouterOS 7 commands a NetFlow setup script may use, with the argument names each takes: the
// table tools/rsc-check checks every command against. Built from MikroTik's documentation (the
// property tables of each menu), not from a router, so a name missing here is a name this project
// has not checked, not necessarily a name RouterOS lacks:
//   /radius, /radius incoming   https://help.mikrotik.com/docs/display/ROS/RADIUS
//   /ip firewall filter         https://help.mikrotik.com/docs/display/ROS/Filter (place-before: an add argument
//                               every RouterOS list menu takes, the item to insert before)
//   /ip hotspot, profile,       https://help.mikrotik.com/docs/spaces/ROS/pages/56459266/HotSpot+-+Captive+portal
//   walled-garden (+ ip)        (cross-checked with the property lists of terraform-routeros/terraform-provider-routeros,
//                               routeros/resource_ip_hotspot_profile.go, resource_ip_hotspot_walled_garden{,_ip}.go)
//   hotspot pages, $(var-esc)   https://help.mikrotik.com/docs/x/AQAyBQ (Hotspot customisation)
//   /file add contents=         https://help.mikrotik.com/docs/display/ROS/Files (`add` since 7.9beta2)
//   :if :foreach :local :len :pick, find where
//                               https://help.mikrotik.com/docs/display/ROS/Scripting
//   line joining, escapes       https://wiki.mikrotik.com/index.php?title=Manual:Scripting
// Every menu also has the generic item properties comment, disabled, dynamic (read-only) and .id.

export interface MenuSpec {
  /** Properties: what add/set take, what find filters and get read. */
  properties: readonly string[];
  /** Arguments only `add` takes (e.g. place-before), not item properties. */
  addOnly?: readonly string[];
  /** The verbs used on this menu. */
  verbs: readonly ('add' | 'remove' | 'set' | 'get' | 'find' | 'print' | 'monitor')[];
  /** A menu with one settings item (`/radius incoming set accept=yes`): set takes no item. */
  single?: boolean;
}

const GENERIC = ['comment', 'disabled', 'dynamic', '.id'];

const RADIUS = [
  'service',
  'address',
  'secret',
  'authentication-port',
  'accounting-port',
  'timeout',
  'src-address',
  'called-id',
  'domain',
  'realm',
  'accounting-backup',
  'certificate',
  'protocol',
  'require-message-auth',
  'vrf',
];

const FILTER = [
  'chain',
  'action',
  'protocol',
  'src-address',
  'dst-address',
  'src-port',
  'dst-port',
  'port',
  'in-interface',
  'out-interface',
  'in-interface-list',
  'out-interface-list',
  'src-address-list',
  'dst-address-list',
  'connection-state',
  'jump-target',
  'log',
  'log-prefix',
];

const HOTSPOT_PROFILE = [
  'name',
  'dns-name',
  'hotspot-address',
  'html-directory',
  'html-directory-override',
  'http-cookie-lifetime',
  'http-proxy',
  'https-redirect',
  'login-by',
  'mac-auth-mode',
  'mac-auth-password',
  'nas-port-type',
  'radius-accounting',
  'radius-default-domain',
  'radius-interim-update',
  'radius-location-id',
  'radius-location-name',
  'radius-mac-format',
  'rate-limit',
  'smtp-server',
  'split-user-domain',
  'ssl-certificate',
  'trial-uptime-limit',
  'trial-uptime-reset',
  'trial-user-profile',
  'use-radius',
];

export const MENUS: Readonly<Record<string, MenuSpec>> = {
  radius: { properties: [...RADIUS, ...GENERIC], verbs: ['add', 'remove', 'set', 'get', 'find', 'print', 'monitor'] },
  'radius incoming': { properties: ['accept', 'port', 'vrf'], verbs: ['set', 'get', 'print'], single: true },
  'ip firewall filter': {
    properties: [...FILTER, ...GENERIC],
    addOnly: ['place-before'],
    verbs: ['add', 'remove', 'set', 'get', 'find', 'print'],
  },
  'ip hotspot': {
    properties: ['name', 'interface', 'address-pool', 'profile', 'addresses-per-mac', 'idle-timeout', 'keepalive-timeout', ...GENERIC],
    verbs: ['find', 'get', 'print'],
  },
  'ip hotspot profile': { properties: [...HOTSPOT_PROFILE, ...GENERIC], verbs: ['add', 'remove', 'set', 'get', 'find', 'print'] },
  'ip hotspot walled-garden': {
    properties: ['action', 'dst-host', 'dst-port', 'path', 'method', 'server', 'src-address', 'dst-address', 'hits', ...GENERIC],
    verbs: ['add', 'remove', 'set', 'find', 'print'],
  },
  'ip hotspot walled-garden ip': {
    properties: [
      'action',
      'dst-address',
      'dst-address-list',
      'dst-host',
      'dst-port',
      'protocol',
      'server',
      'src-address',
      'src-address-list',
      ...GENERIC,
    ],
    verbs: ['add', 'remove', 'set', 'find', 'print'],
  },
  file: {
    properties: ['name', 'type', 'contents', 'size', 'last-modified', ...GENERIC],
    verbs: ['add', 'remove', 'set', 'get', 'find', 'print'],
  },
};

/** The scripting commands (`:name`) the checker understands, each with its own grammar in check.ts. */
export const SCRIPT_COMMANDS = ['if', 'foreach', 'local', 'set', 'len', 'pick', 'put', 'log'] as const;
