curl -s -X POST http://127.0.0.1:8080/v2/$PROJECT_ID/images/$IMAGE_ID/tags/action -H "X-Auth-Token: $TOKEN" \
  -H "Content-Type: application/json" -d '{"action":"create","tags":[{"key":"key1","value":"value1"}]}'
