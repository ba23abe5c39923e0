# Reconstructs request/signature fixtures for Nubo's SigV4 verifier tests with botocore.
# The inputs follow the aws-c-auth SigV4 test suite (tests/aws-signing-test-suite/v4/<name>).
import datetime, os, sys
from unittest import mock
import botocore
from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

OUT = sys.argv[1]
CREDS = Credentials('AKIDEXAMPLE', 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY')
WHEN = datetime.datetime(2015, 8, 30, 12, 36, 0, tzinfo=datetime.timezone.utc)

VECTORS = {
    'get-vanilla': ('GET', '/', [], b''),
    'get-vanilla-query-order-key-case': ('GET', '/?Param2=value2&Param1=value1', [], b''),
    'get-vanilla-query-unreserved': ('GET', '/?-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz=-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', [], b''),
    'get-vanilla-utf8-query': ('GET', '/?%E1%88%B4=bar', [], b''),
    'get-vanilla-empty-query-key': ('GET', '/?Param1=value1', [], b''),
    'get-header-key-duplicate': ('GET', '/', [('My-Header1', 'value2'), ('My-Header1', 'value2'), ('My-Header1', 'value1')], b''),
    'get-header-value-order': ('GET', '/', [('My-Header1', 'value4'), ('My-Header1', 'value1'), ('My-Header1', 'value3'), ('My-Header1', 'value2')], b''),
    'get-header-value-trim': ('GET', '/', [('My-Header1', ' value1'), ('My-Header2', ' "a   b   c"')], b''),
    'get-unreserved': ('GET', '/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', [], b''),
    'get-slashes': ('GET', '//example//', [], b''),
    'get-relative-relative': ('GET', '/example1/example2/../..', [], b''),
    'post-vanilla': ('POST', '/', [], b''),
    'post-vanilla-query': ('POST', '/?Param1=value1', [], b''),
    'post-header-value-case': ('POST', '/', [('My-Header1', 'VALUE1')], b''),
    'post-x-www-form-urlencoded': ('POST', '/', [('Content-Type', 'application/x-www-form-urlencoded')], b'Param1=value1'),
    'post-x-www-form-urlencoded-parameters': ('POST', '/', [('Content-Type', 'application/x-www-form-urlencoded; charset=utf-8')], b'Param1=value1'),
}

def fixed_time():
    return mock.patch('botocore.auth.get_current_datetime', return_value=WHEN)

def write(name, method, target, headers, body, extra=''):
    with open(os.path.join(OUT, name + '.txt'), 'w', encoding='utf-8', newline='\n') as f:
        f.write('# %s, reconstructed with botocore %s%s\n' % (name, botocore.__version__, extra))
        f.write('%s %s HTTP/1.1\n' % (method, target))
        for k, v in headers:
            f.write('%s:%s\n' % (k, v))
        f.write('\n')
        f.write(body.decode('utf-8'))

def header_signed(name, method, target, headers, body, host='example.amazonaws.com', region='us-east-1', service='service'):
    req = AWSRequest(method=method, url='http://' + host + target, data=body)
    for k, v in headers:
        req.headers[k] = v
    if body:
        req.headers['Content-Length'] = str(len(body))
    with fixed_time():
        SigV4Auth(CREDS, service, region).add_auth(req)
    out = [('Host', host)] + [(k, v) for k, v in req.headers.items()]
    write(name, method, target, out, body, ', region %s, service %s' % (region, service))
    return req.headers['Authorization'].split('Signature=')[1]

def query_signed(name, method, target, headers, body):
    from urllib.parse import parse_qsl
    req = AWSRequest(method=method, url='http://example.amazonaws.com' + target, data=dict(parse_qsl(body.decode())) if body else b'')
    for k, v in headers:
        req.headers[k] = v
    with fixed_time():
        SigV4QueryAuth(CREDS, 'service', 'us-east-1', expires=3600).add_auth(req)
    path = req.url[len('http://example.amazonaws.com'):]
    out = [('Host', 'example.amazonaws.com')] + [(k, v) for k, v in req.headers.items()]
    write(name, method, path, out, req.body if isinstance(req.body, bytes) else (req.body or '').encode(), ', presigned for 3600 s')
    return path.split('X-Amz-Signature=')[1]

for name, (m, t, h, b) in VECTORS.items():
    print(name, header_signed(name, m, t, h, b))
for name in ['get-vanilla', 'get-vanilla-query-order-key-case', 'get-vanilla-utf8-query', 'post-x-www-form-urlencoded']:
    m, t, h, b = VECTORS[name]
    print('query-' + name, query_signed('query-' + name, m, t, h, b))
# What botocore sends to EC2 (the AWS CLI's DescribeInstances), signed for Nubo's region.
print('ec2-describe-instances', header_signed('ec2-describe-instances', 'POST', '/',
      [('Content-Type', 'application/x-www-form-urlencoded; charset=utf-8')], b'Action=DescribeInstances&Version=2016-11-15',
      host='127.0.0.1:8773', region='nubo-1', service='ec2'))
