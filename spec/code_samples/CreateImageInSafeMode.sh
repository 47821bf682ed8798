# Against the local stub (npm start); any non-empty token is accepted there.
curl -s -X POST http://127.0.0.1:8080/v2.1/cloudimages/action \
  -H 'Content-Type: application/json' \
  -H "X-Auth-Token: $TOKEN" \
  -d '{"name": "ims_test", "instance_id": "877a2cda-ba63-4e1e-b95f-e67e48b6129a", "tags": ["aaa.111"]}'
# {"job_id":"..."}
