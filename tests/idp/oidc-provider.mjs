// The OpenID Connect provider the single sign-on tests start: oidc-provider (panva, OpenID Certified),
// configured here and driven by tests/src/idp/oidc.rs. Nothing of the protocol is written here; this file
// only configures the real provider.
//
//   node oidc-provider.mjs CONFIG.json
//
// CONFIG.json: { "port": 0 (any free port) or the port to listen on again after a key rotation,
//                "layout": "standard" | "wso2", "clients": [...], "accounts": [...] } (see oidc.rs).
// Prints `listening on PORT kid KID` on stdout once the socket accepts connections.
//
// Each start signs with a fresh RS256 key under a fresh `kid`; the JWKS publishes that key alone.

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

import { Provider } from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));

const kid = randomBytes(12).toString('base64url');
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };

const wso2 = config.layout === 'wso2';

const accounts = new Map(config.accounts.map((account) => [account.login, account.claims]));

const server = createServer();
server.listen(config.port, '127.0.0.1', () => {
  const { port } = server.address();
  const origin = `http://127.0.0.1:${port}`;
  // WSO2 Identity Server names its token endpoint as its issuer and publishes no discovery document
  // at the usual places: the Wso2 layout copies both.
  const issuer = wso2 ? `${origin}/oauth2/token` : origin;
  const provider = new Provider(issuer, {
    clients: config.clients.map((client) => ({
      client_id: client.client_id,
      client_secret: client.client_secret,
      redirect_uris: [client.redirect_uri],
      post_logout_redirect_uris: [client.post_logout_redirect_uri],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      // The provider takes the secret in a Basic header or in the form for either method.
      token_endpoint_auth_method: 'client_secret_basic',
      ...(client.backchannel_logout_uri
        ? { backchannel_logout_uri: client.backchannel_logout_uri, backchannel_logout_session_required: true }
        : {}),
    })),
    async findAccount(_ctx, sub) {
      const claims = accounts.get(sub);
      if (claims === undefined) return undefined;
      return {
        accountId: sub,
        async claims() {
          return { ...claims, sub };
        },
      };
    },
    claims: {
      acr: null,
      auth_time: null,
      iss: null,
      sid: null,
      openid: ['sub'],
      profile: ['preferred_username', 'name', 'unit', 'position'],
      email: ['email', 'email_verified'],
    },
    scopes: ['openid', 'profile', 'email', 'offline_access'],
    // Standard: as the specification says, claims asked for by scope come from userinfo only when an
    // access token is issued. Wso2: in the ID token too, as WSO2 Identity Server does.
    conformIdTokenClaims: !wso2,
    pkce: { required: () => true },
    jwks: { keys: [signingKey] },
    features: {
      devInteractions: { enabled: true },
      backchannelLogout: { enabled: true },
      rpInitiatedLogout: { enabled: true },
      userinfo: { enabled: true },
    },
    routes: wso2
      ? {
          authorization: '/oauth2/authorize',
          token: '/oauth2/token',
          jwks: '/oauth2/jwks',
          userinfo: '/oauth2/userinfo',
          end_session: '/oidc/logout',
        }
      : {},
    cookies: {
      // The server under test shares the host 127.0.0.1, and cookies are not kept apart by port.
      names: { session: 'oidc_session', interaction: 'oidc_interaction', resume: 'oidc_interaction_resume' },
      keys: [randomBytes(32).toString('base64url')],
    },
    // oidc-provider refuses to call loopback addresses (its guard against SSRF, an undici dispatcher
    // it passes in), but the clients' back-channel logout URIs are the tests' servers on 127.0.0.1.
    // Everything else it sets stays: the 2.5 s time-out, the empty user-agent.
    fetch(url, { dispatcher: _guard, ...options }) {
      return globalThis.fetch(url, options);
    },
    ttl: {
      AccessToken: 3600,
      AuthorizationCode: 120,
      IdToken: 3600,
      Interaction: 3600,
      Session: 86400,
      Grant: 86400,
    },
  });
  provider.on('server_error', (_ctx, error) => console.error('server_error', error));
  provider.on('backchannel.error', (_ctx, error, client) => {
    console.error(`back-channel logout to ${client.clientId} failed: ${error.message}`);
  });
  const callback = provider.callback();
  server.on('request', (req, res) => {
    if (wso2 && req.url.includes('/.well-known/')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    callback(req, res);
  });
  console.log(`listening on ${port} kid ${kid}`);
});
